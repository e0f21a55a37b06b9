// The dialog that asks which digit a drawing is before it joins "my digits": the 28x28 image
// the network sees, ten buttons 0-9 (the digit keys pick one) starting at the network's answer,
// and Add / Cancel.
#pragma once

#include <QDialog>
#include <QImage>

class QButtonGroup;

namespace lenet::ui {

class MyDigitsLabelDialog : public QDialog {
    Q_OBJECT

public:
    /// `image` is the digit to show (drawn enlarged); `initialLabel` is checked first (-1: none,
    /// then Add stays disabled until a digit is chosen).
    MyDigitsLabelDialog(const QImage& image, int initialLabel, QWidget* parent = nullptr);

    /// The chosen digit, -1 when none is.
    int label() const;
    /// Checks `digit` (0-9).
    void setLabel(int digit);

protected:
    /// The digit keys 0-9 choose the label.
    void keyPressEvent(QKeyEvent* event) override;

private:
    QButtonGroup* m_digits;
};

}  // namespace lenet::ui
