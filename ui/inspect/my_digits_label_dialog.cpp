// MyDigitsLabelDialog: a preview, a row of checkable digit buttons and the dialog buttons.
#include "ui/inspect/my_digits_label_dialog.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

namespace lenet::ui {
namespace {

constexpr int kPreviewScale = 4;

}  // namespace

MyDigitsLabelDialog::MyDigitsLabelDialog(const QImage& image, int initialLabel, QWidget* parent)
    : QDialog(parent), m_digits(new QButtonGroup(this)) {
    setWindowTitle(tr("Add to my digits"));
    auto* preview = new QLabel(this);
    preview->setPixmap(QPixmap::fromImage(image.scaled(image.size() * kPreviewScale)));
    preview->setAlignment(Qt::AlignCenter);
    preview->setToolTip(tr("The drawing as the network sees it (28x28, centred like MNIST)"));
    auto* question = new QLabel(tr("Which digit is it?"), this);

    auto* buttons =
        new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, Qt::Horizontal, this);
    QPushButton* add = buttons->button(QDialogButtonBox::Ok);
    add->setText(tr("Add"));
    add->setToolTip(tr("Save the digit with the chosen label (Enter)"));
    buttons->button(QDialogButtonBox::Cancel)->setToolTip(tr("Close without adding (Esc)"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* row = new QHBoxLayout;
    for (int k = 0; k < 10; ++k) {
        auto* b = new QPushButton(QString::number(k), this);
        b->setObjectName(QStringLiteral("digit%1").arg(k));
        b->setCheckable(true);
        b->setAutoDefault(false);
        b->setToolTip(tr("The drawing is a %1 (key %1)").arg(k));
        b->setFixedWidth(b->fontMetrics().horizontalAdvance(QStringLiteral("00")) + 16);
        m_digits->addButton(b, k);
        row->addWidget(b);
    }
    connect(m_digits, &QButtonGroup::idToggled, add,
            [this, add] { add->setEnabled(label() >= 0); });
    if (initialLabel >= 0 && initialLabel < 10) setLabel(initialLabel);
    add->setEnabled(label() >= 0);
    add->setDefault(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(preview);
    layout->addWidget(question);
    layout->addLayout(row);
    layout->addWidget(buttons);
}

int MyDigitsLabelDialog::label() const {
    return m_digits->checkedId();
}

void MyDigitsLabelDialog::keyPressEvent(QKeyEvent* event) {
    const int key = event->key();
    if (key >= Qt::Key_0 && key <= Qt::Key_9 && !(event->modifiers() & ~Qt::KeypadModifier))
        setLabel(key - Qt::Key_0);
    else
        QDialog::keyPressEvent(event);
}

void MyDigitsLabelDialog::setLabel(int digit) {
    if (QAbstractButton* b = m_digits->button(digit)) b->setChecked(true);
}

}  // namespace lenet::ui
