// SPDX-License-Identifier: MIT
// The image input: drop a file, pick one, or paste; shows a thumbnail, the pixel size and how
// many image rows it becomes for the loaded model.
#pragma once

#include <QImage>
#include <QWidget>
#include <functional>

class QLabel;

namespace cachelens::ui {

class ImageDrop : public QWidget {
  Q_OBJECT
 public:
  explicit ImageDrop(QWidget* parent = nullptr);

  // How many rows an image of this size becomes; unset or throwing: the count is not shown.
  void setTokenCounter(std::function<qint64(int, int)> counter);
  QString imagePath() const { return path_; }
  // Loads the file for the thumbnail. Returns false and emits failed() when Qt cannot read it
  // (the current image is kept).
  bool setImageFile(const QString& path);
  void clearImage();

 public Q_SLOTS:
  void browse();
  void pasteFromClipboard();

 Q_SIGNALS:
  void imageChanged(const QString& path);
  void failed(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  void refresh();
  QString path_;
  QImage image_;
  std::function<qint64(int, int)> counter_;
  QLabel* thumb_ = nullptr;
  QLabel* info_ = nullptr;
};

}  // namespace cachelens::ui
