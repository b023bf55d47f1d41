// SPDX-License-Identifier: MIT
#include "image_drop.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QImageReader>
#include <QLabel>
#include <QMimeData>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <exception>

namespace cachelens::ui {

ImageDrop::ImageDrop(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("imageDrop"));
  setAcceptDrops(true);
  setCursor(Qt::PointingHandCursor);
  setToolTip(tr("Drop an image here, click to choose one, or paste (Ctrl+Shift+V)"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  thumb_ = new QLabel;
  thumb_->setAlignment(Qt::AlignCenter);
  thumb_->setMinimumSize(150, 150);
  thumb_->setFrameShape(QFrame::StyledPanel);
  layout->addWidget(thumb_);
  info_ = new QLabel;
  info_->setObjectName(QStringLiteral("imageInfo"));
  info_->setAlignment(Qt::AlignCenter);
  info_->setWordWrap(true);
  layout->addWidget(info_);
  refresh();
}

void ImageDrop::setTokenCounter(std::function<qint64(int, int)> counter) {
  counter_ = std::move(counter);
  refresh();
}

bool ImageDrop::setImageFile(const QString& path) {
  QImageReader reader(path);
  QImage image = reader.read();
  if (image.isNull()) {
    Q_EMIT failed(tr("Cannot read the image '%1': %2.\nCacheLens reads PNG, JPEG, BMP and GIF.")
                      .arg(QDir::toNativeSeparators(path), reader.errorString()));
    return false;
  }
  path_ = QFileInfo(path).absoluteFilePath();
  image_ = std::move(image);
  refresh();
  Q_EMIT imageChanged(path_);
  return true;
}

void ImageDrop::clearImage() {
  path_.clear();
  image_ = QImage();
  refresh();
  Q_EMIT imageChanged(path_);
}

void ImageDrop::browse() {
  const QString start = path_.isEmpty() ? QString() : QFileInfo(path_).absolutePath();
  const QString file = QFileDialog::getOpenFileName(this, tr("Choose an image"), start,
                                                    tr("Images (*.png *.jpg *.jpeg *.bmp *.gif)"));
  if (!file.isEmpty()) setImageFile(file);
}

void ImageDrop::pasteFromClipboard() {
  const QMimeData* mime = QApplication::clipboard()->mimeData();
  if (mime && mime->hasUrls() && !mime->urls().isEmpty()) {
    setImageFile(mime->urls().first().toLocalFile());
    return;
  }
  const QImage image = QApplication::clipboard()->image();
  if (image.isNull()) {
    Q_EMIT failed(tr("The clipboard holds no image."));
    return;
  }
  // The engine reads files, so a pasted image is saved as a PNG in the cache folder first.
  const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
  QDir().mkpath(dir);
  const QString file = dir + QStringLiteral("/pasted.png");
  if (!image.save(file, "PNG")) {
    Q_EMIT failed(tr("Cannot save the pasted image to '%1'.").arg(file));
    return;
  }
  setImageFile(file);
}

void ImageDrop::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void ImageDrop::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (!urls.isEmpty()) setImageFile(urls.first().toLocalFile());
  event->acceptProposedAction();
}

void ImageDrop::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) browse();
}

void ImageDrop::refresh() {
  if (image_.isNull()) {
    thumb_->setPixmap({});
    thumb_->setText(tr("Drop an image\nor click to choose"));
    info_->setText(tr("no image: text only"));
    return;
  }
  thumb_->setText({});
  thumb_->setPixmap(
      QPixmap::fromImage(image_.scaled(150, 150, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
  QString text =
      tr("%1 · %2×%3 px").arg(QFileInfo(path_).fileName()).arg(image_.width()).arg(image_.height());
  if (counter_) {
    try {
      text += tr(" · %1 image rows").arg(counter_(image_.width(), image_.height()));
    } catch (const std::exception&) {
      text += tr(" · this model has no vision tower");
    }
  }
  info_->setText(text);
}

}  // namespace cachelens::ui
