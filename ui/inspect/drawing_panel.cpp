// DrawingPanel: canvas -> lenet::prepare (MNIST-style centring) -> the network, on every change of
// the drawing.
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
#include "ui/inspect/selection_trace.h"
#include "ui/inspect/trace_follower.h"

namespace lenet::ui {
namespace {

bool sameImage(const lenet::InkImage& a, const lenet::InkImage& b) {
    return a.rows == b.rows && a.cols == b.cols && a.ink == b.ink;
}

}  // namespace

DrawingPanel::DrawingPanel(QWidget* parent)
    : QWidget(parent),
      m_canvas(new DigitCanvas(this)),
      m_bars(new ClassBars(this)),
      m_strip(new PreprocessStrip(this)),
      m_answer(new QLabel(this)),
      m_detail(new QLabel(this)),
      m_width(new QSlider(Qt::Horizontal, this)),
      m_add(new QPushButton(tr("Add to my digits…"), this)),
      m_added(new QLabel(this)),
      m_follower(new TraceFollower(this, [this] { draw(); })),
      m_trace(std::make_shared<const Trace>()) {
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

void DrawingPanel::setTrace(SelectionTrace* trace) {
    m_follower->follow(trace);
}

void DrawingPanel::setNetwork(NetworkSnapshot net) {
    m_follower->trace()->setNetwork(std::move(net));
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
    if (centred().ink.empty())
        return m_canvas->isEmpty()
                   ? tr("Nothing to add: draw a digit on the canvas first.")
                   : tr("Nothing to add: the strokes left no ink inside the canvas.");
    const QString error = m_myDigits->add(centred(), label);
    if (!error.isEmpty()) return error;
    const int n = m_myDigits->count();
    m_added->setText(n == 1 ? tr("Added as a %1: my digits hold 1 digit.").arg(label)
                            : tr("Added as a %1: my digits hold %2 digits.").arg(label).arg(n));
    if (!m_myDigits->keptAside().isEmpty())
        m_added->setText(m_added->text() + QLatin1Char('\n') +
                         tr("The earlier set could not be read; it is kept in %1.")
                             .arg(m_myDigits->keptAside()));
    m_canvas->clear();
    return {};
}

void DrawingPanel::addToMyDigits() {
    if (!m_myDigits) return;
    if (centred().ink.empty()) {
        QMessageBox::information(this, tr("Add to my digits"), addDrawing(-1));
        return;
    }
    const QImage image = valuesToImage(centred().ink.data(), centred().cols, centred().rows,
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
    m_drawing = m_canvas->isEmpty() ? lenet::InkImage() : m_canvas->ink();
    m_prepared = lenet::Prepared();
    if (!m_drawing.ink.empty()) {
        const NetworkSnapshot& net = m_follower->trace()->network();
        try {
            m_prepared = lenet::prepare(m_drawing, lenet::Preprocessing::Auto,
                                        net ? net->spec().inputFormat() : lenet::InputFormat{});
        } catch (const lenet::Error&) {
            // Strokes that left no ink on the canvas (drawn outside it).
        }
    }
    if (m_selection && !centred().ink.empty())
        m_selection->select({centred(), -1, -1, tr("your drawing")});
    // When the panel's trace follows that selection, the change has redrawn the panel already.
    if (centred().ink.empty() || !sameImage(m_follower->trace()->image().image, centred()))
        m_follower->requestDraw();
}

void DrawingPanel::draw() {
    SelectionTrace* source = m_follower->trace();
    const NetworkSnapshot& net = source->network();
    if (centred().ink.empty()) {
        m_strip->clear();
        m_trace = std::make_shared<const Trace>();
    } else {
        const lenet::Shape in = net ? net->inputShape() : lenet::Shape{1, 32, 32};
        m_strip->setSteps(m_drawing, m_prepared.steps, QSize(in.w, in.h));
        // The drawing is usually the selection (it becomes it with every change), whose trace
        // the other views share; after a test image was selected it is an image of its own.
        m_trace =
            sameImage(source->image().image, centred()) ? source->trace() : source->run(centred());
    }
    m_input = m_trace->empty() ? lenet::Tensor() : m_trace->acts[0];
    showAnswer();
}

void DrawingPanel::showAnswer() {
    const NetworkSnapshot& net = m_follower->trace()->network();
    if (!net) {
        m_answer->setText(QStringLiteral("–"));
        m_detail->setText(tr("No network: load a model or train one."));
        m_bars->clear(tr("no network"));
        return;
    }
    if (m_trace->empty()) {
        m_answer->setText(QStringLiteral("?"));
        m_detail->setText(m_canvas->isEmpty() ? tr("Draw a digit on the canvas.")
                                              : tr("Nothing drawn inside the canvas."));
        m_bars->clear(tr("draw a digit"));
        return;
    }
    const int k = m_trace->predicted;
    const QString name = QString::fromStdString(net->className(k));
    const QString probability =
        QStringLiteral("%1 %").arg(100.0 * double(m_trace->probability), 0, 'f', 1);
    QString detail;
    if (m_trace->unsure) {
        m_answer->setText(QStringLiteral("?"));
        detail = tr("unsure — does not look like a digit (closest: %1, %2)").arg(name, probability);
    } else {
        m_answer->setText(name);
        detail = tr("probability %1").arg(probability);
    }
    if (hasRbfHead(*net))
        detail += QLatin1Char('\n') + tr("distance %1 (smallest wins)")
                                          .arg(double(m_trace->outputs[std::size_t(k)]), 0, 'f', 2);
    if (!m_trace->calibrated)
        detail += QLatin1Char('\n') + tr("not calibrated: a plain softmax, never unsure");
    m_detail->setText(detail);
    m_bars->setClassNames(classNames(*net));
    m_bars->setValues(m_trace->scores, ClassBars::Mode::Probability, m_trace->unsure);
}

QImage DrawingPanel::renderImage() {
    return grab().toImage();
}

QString DrawingPanel::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

}  // namespace lenet::ui
