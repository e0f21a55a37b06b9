// DrawingPanel: canvas -> mnistStyleSteps -> the network, on every change of the drawing.
#include "ui/inspect/drawing_panel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

#include "lenet/error.h"
#include "ui/inspect/class_bars.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/export.h"
#include "ui/inspect/map_images.h"
#include "ui/inspect/my_digits_label_dialog.h"
#include "ui/inspect/my_digits_store.h"
#include "ui/inspect/preprocess_strip.h"
#include "ui/inspect/selection_model.h"

namespace lenet::ui {

DrawingPanel::DrawingPanel(QWidget* parent)
    : QWidget(parent),
      m_canvas(new DigitCanvas(this)),
      m_bars(new ClassBars(this)),
      m_strip(new PreprocessStrip(this)),
      m_answer(new QLabel(this)),
      m_detail(new QLabel(this)),
      m_width(new QSlider(Qt::Horizontal, this)),
      m_add(new QPushButton(tr("Add to my digits…"), this)),
      m_added(new QLabel(this)) {
    m_width->setRange(6, 40);
    m_width->setValue(int(DigitCanvas::kDefaultPenWidth));
    m_width->setToolTip(
        tr("Pen width in canvas pixels (the canvas is 280 pixels wide; MNIST "
           "strokes correspond to about 20-25)"));
    m_width->setObjectName(QStringLiteral("penWidth"));
    connect(m_width, &QSlider::valueChanged, m_canvas, &DigitCanvas::setPenWidth);

    auto* undo = new QPushButton(tr("Undo"), this);
    undo->setObjectName(QStringLiteral("undo"));
    undo->setToolTip(tr("Remove the last stroke (Ctrl+Z on the canvas)"));
    connect(undo, &QPushButton::clicked, m_canvas, &DigitCanvas::undo);
    auto* clear = new QPushButton(tr("Clear"), this);
    clear->setObjectName(QStringLiteral("clear"));
    clear->setToolTip(tr("Remove every stroke (Delete on the canvas)"));
    connect(clear, &QPushButton::clicked, m_canvas, &DigitCanvas::clear);
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("drawing"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }}});

    auto* addShortcut = new QAction(tr("Add to my digits…"), this);
    addShortcut->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    addShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(addShortcut, &QAction::triggered, this, &DrawingPanel::addToMyDigits);
    addAction(addShortcut);
    m_add->setObjectName(QStringLiteral("addToMyDigits"));
    m_add->setToolTip(
        tr("Save the drawing with its label to your own digit set, which the My digits panel "
           "evaluates and training can include; clears the canvas for the next one (%1)")
            .arg(addShortcut->shortcut().toString(QKeySequence::NativeText)));
    connect(m_add, &QPushButton::clicked, this, &DrawingPanel::addToMyDigits);
    m_add->hide();
    m_added->setObjectName(QStringLiteral("addedToMyDigits"));
    m_added->setAlignment(Qt::AlignCenter);
    m_added->setWordWrap(true);

    QFont big = m_answer->font();
    big.setPointSizeF(big.pointSizeF() * 2.6);
    big.setBold(true);
    m_answer->setFont(big);
    m_answer->setAlignment(Qt::AlignCenter);
    m_answer->setToolTip(tr("The network's answer for the drawing"));
    m_detail->setAlignment(Qt::AlignCenter);
    m_detail->setWordWrap(true);
    m_detail->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_detail->setMinimumHeight(2 * m_detail->fontMetrics().lineSpacing() + 4);
    m_bars->setToolTip(tr("The network's output per class"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Pen"), this));
    controls->addWidget(m_width, 1);
    controls->addWidget(undo);
    controls->addWidget(clear);
    controls->addWidget(exportButton);

    auto* left = new QVBoxLayout;
    left->addWidget(m_canvas, 1);
    left->addLayout(controls);
    auto* right = new QVBoxLayout;
    right->addWidget(m_answer);
    right->addWidget(m_detail);
    right->addWidget(m_bars, 1);
    right->addWidget(m_add);
    right->addWidget(m_added);
    auto* top = new QHBoxLayout;
    top->addLayout(left, 3);
    top->addLayout(right, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(m_strip);

    connect(m_canvas, &DigitCanvas::drawingChanged, this, &DrawingPanel::updateFromDrawing);
    updateFromDrawing();
}

DrawingPanel::~DrawingPanel() = default;

void DrawingPanel::setNetwork(NetworkSnapshot net) {
    if (net)
        m_probe.emplace(*net);
    else
        m_probe.reset();
    updateFromDrawing();
}

void DrawingPanel::setSelectionModel(SelectionModel* selection) {
    m_selection = selection;
}

void DrawingPanel::setMyDigits(MyDigitsStore* store) {
    m_myDigits = store;
    m_add->setVisible(store != nullptr);
    m_added->clear();
}

QString DrawingPanel::addDrawing(int label) {
    if (!m_myDigits) return tr("There is no digit set to add the drawing to.");
    if (m_centred.ink.empty())
        return m_canvas->isEmpty()
                   ? tr("Nothing to add: draw a digit on the canvas first.")
                   : tr("Nothing to add: the strokes left no ink inside the canvas.");
    const QString error = m_myDigits->add(m_centred, label);
    if (!error.isEmpty()) return error;
    const int n = m_myDigits->count();
    m_added->setText(n == 1 ? tr("Added as a %1: my digits hold 1 digit.").arg(label)
                            : tr("Added as a %1: my digits hold %2 digits.").arg(label).arg(n));
    m_canvas->clear();
    return {};
}

void DrawingPanel::addToMyDigits() {
    if (!m_myDigits) return;
    if (m_centred.ink.empty()) {
        QMessageBox::information(this, tr("Add to my digits"), addDrawing(-1));
        return;
    }
    const QImage image = valuesToImage(m_centred.ink.data(), m_centred.cols, m_centred.rows,
                                       {0.0f, 1.0f}, Palette::Ink);
    MyDigitsLabelDialog dialog(image, predictedClass(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    const QString error = addDrawing(dialog.label());
    if (!error.isEmpty()) QMessageBox::warning(this, tr("Add to my digits"), error);
}

QString DrawingPanel::answerText() const {
    return m_answer->text() + QLatin1Char('\n') + m_detail->text();
}

void DrawingPanel::updateFromDrawing() {
    m_centred = lenet::InkImage();
    m_input = lenet::Tensor();
    m_trace = Trace();
    if (m_canvas->isEmpty()) {
        m_strip->clear();
        showAnswer();
        return;
    }
    const lenet::InkImage drawing = m_canvas->ink();
    lenet::MnistStyleSteps steps;
    try {
        steps = lenet::mnistStyleSteps(drawing);
    } catch (const lenet::Error&) {
        // Strokes that left no ink on the canvas (drawn outside it).
        m_strip->clear();
        showAnswer();
        return;
    }
    const lenet::Shape in = m_probe ? m_probe->network().inputShape() : lenet::Shape{1, 32, 32};
    m_strip->setSteps(drawing, steps, QSize(in.w, in.h));
    m_centred = steps.centred;
    if (m_probe) {
        m_input = m_probe->input(steps.centred);
        m_trace = m_probe->run(steps.centred);
    }
    showAnswer();
    if (m_selection) m_selection->select({steps.centred, -1, -1, tr("your drawing")});
}

void DrawingPanel::showAnswer() {
    if (!m_probe) {
        m_answer->setText(QStringLiteral("–"));
        m_detail->setText(tr("No network: load a model or train one."));
        m_bars->clear(tr("no network"));
        return;
    }
    if (m_trace.empty()) {
        m_answer->setText(QStringLiteral("?"));
        m_detail->setText(m_canvas->isEmpty() ? tr("Draw a digit on the canvas.")
                                              : tr("Nothing drawn inside the canvas."));
        m_bars->clear(tr("draw a digit"));
        return;
    }
    const int k = m_trace.predicted;
    m_answer->setText(QString::number(k));
    const double confidence = 100.0 * m_trace.scores[std::size_t(k)];
    if (hasRbfHead(m_probe->network())) {
        m_detail->setText(tr("distance %1 (smallest wins)\nconfidence %2%")
                              .arg(double(m_trace.outputs[std::size_t(k)]), 0, 'f', 2)
                              .arg(confidence, 0, 'f', 1));
        m_bars->setValues(m_trace.outputs, ClassBars::Mode::Distance);
    } else {
        m_detail->setText(tr("probability %1% (largest wins)").arg(confidence, 0, 'f', 1));
        m_bars->setValues(m_trace.scores, ClassBars::Mode::Probability);
    }
}

QImage DrawingPanel::renderImage() {
    return grab().toImage();
}

QString DrawingPanel::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

}  // namespace lenet::ui
