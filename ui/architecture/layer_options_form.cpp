// LayerOptionsForm: one form row per LayerSpec field outside the table, hidden unless the shown
// layer's kind uses it. Numbers apply on Enter, on a step or when the field loses focus.
#include "ui/architecture/layer_options_form.h"

#include <initializer_list>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lenet::ui {
namespace {

QSpinBox* makeSpinBox(const char* objectName, int min, int max, const QString& toolTip) {
    auto* box = new QSpinBox;
    box->setObjectName(QString::fromLatin1(objectName));
    box->setRange(min, max);
    box->setToolTip(toolTip);
    box->setKeyboardTracking(false);
    return box;
}

QDoubleSpinBox* makeDoubleSpinBox(const char* objectName, double min, double max, int decimals,
                                  const QString& toolTip) {
    auto* box = new QDoubleSpinBox;
    box->setObjectName(QString::fromLatin1(objectName));
    box->setRange(min, max);
    box->setDecimals(decimals);
    box->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    box->setToolTip(toolTip);
    box->setKeyboardTracking(false);
    return box;
}

QComboBox* makeComboBox(const char* objectName, std::initializer_list<const char*> items,
                        const QString& toolTip) {
    auto* box = new QComboBox;
    box->setObjectName(QString::fromLatin1(objectName));
    for (const char* item : items) box->addItem(QString::fromLatin1(item));
    box->setToolTip(toolTip);
    return box;
}

}  // namespace

LayerOptionsForm::LayerOptionsForm(QWidget* parent)
    : QWidget(parent),
      m_none(new QLabel(tr("No further settings: the table shows them all."))),
      m_form(new QFormLayout),
      m_stride(makeSpinBox("layerStride", 1, 8, tr("Step of the kernel over the input"))),
      m_padding(makeSpinBox("layerPadding", 0, 16,
                            tr("Zeros added around each input map before the convolution"))),
      m_connections(makeComboBox("layerConnections", {"full", "lecun1998"},
                                 tr("full: every output map sees every input map; lecun1998: "
                                    "the paper's Table I (6 input maps to 16 output maps)"))),
      m_in(makeSpinBox("layerIn", 0, 1000000,
                       tr("The flattened input size this layer expects, as a check; "
                          "any = accept whatever the layer before gives"))),
      m_slope(makeDoubleSpinBox("layerSlope", 0.0, 1.0, 3,
                                tr("leaky_relu: the slope for negative inputs"))),
      m_beta(makeDoubleSpinBox("layerBeta", 0.01, 100.0, 2,
                               tr("log_relu: the scale beta of beta ln(1 + max(x, 0))"))),
      m_momentum(makeDoubleSpinBox(
          "layerMomentum", 0.0, 1.0, 3,
          tr("Weight of each new batch in the running mean and variance used for testing"))),
      m_eps(makeDoubleSpinBox("layerEps", 1e-8, 0.1, 8,
                              tr("Added to the variance before the square root"))),
      m_rate(makeDoubleSpinBox("layerRate", 0.0, 0.95, 2,
                               tr("Share of the values zeroed in each training batch"))),
      m_prototypes(makeComboBox("layerPrototypes", {"lecun1998", "random"},
                                tr("lecun1998: the paper's 7x12 bitmaps of the digits (needs 84 "
                                   "inputs and at most 10 classes); random: random +-1 centres"))),
      m_trainable(new QCheckBox(tr("Train the centres"))) {
    m_none->setObjectName(QStringLiteral("layerOptionsNone"));
    m_none->setWordWrap(true);
    m_none->setEnabled(false);
    m_in->setSpecialValueText(tr("any"));
    m_trainable->setObjectName(QStringLiteral("layerTrainable"));
    m_trainable->setToolTip(tr("Let training move the RBF centres (the paper keeps them fixed)"));

    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->addRow(tr("Stride"), m_stride);
    m_form->addRow(tr("Padding"), m_padding);
    m_form->addRow(tr("Connections"), m_connections);
    m_form->addRow(tr("Expects inputs"), m_in);
    m_form->addRow(tr("Slope"), m_slope);
    m_form->addRow(tr("Beta"), m_beta);
    m_form->addRow(tr("Momentum"), m_momentum);
    m_form->addRow(tr("Epsilon"), m_eps);
    m_form->addRow(tr("Rate"), m_rate);
    m_form->addRow(tr("Centres"), m_prototypes);
    m_form->addRow(QString(), m_trainable);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_none);
    layout->addLayout(m_form);

    using Layer = lenet::LayerSpec;
    connect(m_stride, &QSpinBox::valueChanged, this,
            [this](int v) { edit([v](Layer& l) { l.stride = v; }); });
    connect(m_padding, &QSpinBox::valueChanged, this,
            [this](int v) { edit([v](Layer& l) { l.padding = v; }); });
    connect(m_connections, &QComboBox::currentTextChanged, this,
            [this](const QString& v) { edit([v](Layer& l) { l.connections = v.toStdString(); }); });
    connect(m_in, &QSpinBox::valueChanged, this,
            [this](int v) { edit([v](Layer& l) { l.in = v; }); });
    connect(m_slope, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { edit([v](Layer& l) { l.slope = float(v); }); });
    connect(m_beta, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { edit([v](Layer& l) { l.beta = float(v); }); });
    connect(m_momentum, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { edit([v](Layer& l) { l.momentum = float(v); }); });
    connect(m_eps, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { edit([v](Layer& l) { l.eps = float(v); }); });
    connect(m_rate, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { edit([v](Layer& l) { l.rate = float(v); }); });
    connect(m_prototypes, &QComboBox::currentTextChanged, this,
            [this](const QString& v) { edit([v](Layer& l) { l.prototypes = v.toStdString(); }); });
    connect(m_trainable, &QCheckBox::toggled, this,
            [this](bool v) { edit([v](Layer& l) { l.trainable = v; }); });
}

void LayerOptionsForm::showLayer(const lenet::LayerSpec& layer) {
    m_layer = layer;
    const QSignalBlocker blockers[] = {
        QSignalBlocker(m_stride),     QSignalBlocker(m_padding),  QSignalBlocker(m_connections),
        QSignalBlocker(m_in),         QSignalBlocker(m_slope),    QSignalBlocker(m_beta),
        QSignalBlocker(m_momentum),   QSignalBlocker(m_eps),      QSignalBlocker(m_rate),
        QSignalBlocker(m_prototypes), QSignalBlocker(m_trainable)};
    m_stride->setValue(layer.stride);
    m_padding->setValue(layer.padding);
    m_connections->setCurrentText(QString::fromStdString(layer.connections));
    m_in->setValue(layer.in);
    m_slope->setValue(double(layer.slope));
    m_beta->setValue(double(layer.beta));
    m_momentum->setValue(double(layer.momentum));
    m_eps->setValue(double(layer.eps));
    m_rate->setValue(double(layer.rate));
    m_prototypes->setCurrentText(QString::fromStdString(layer.prototypes));
    m_trainable->setChecked(layer.trainable);

    const std::string& t = layer.type;
    const bool conv = t == "conv";
    const std::pair<QWidget*, bool> rows[] = {
        {m_stride, conv},
        {m_padding, conv},
        {m_connections, conv},
        {m_in, t == "fc"},
        {m_slope, t == "activation" && layer.fn == "leaky_relu"},
        {m_beta, t == "activation" && layer.fn == "log_relu"},
        {m_momentum, t == "batchnorm"},
        {m_eps, t == "batchnorm"},
        {m_rate, t == "dropout"},
        {m_prototypes, t == "rbf"},
        {m_trainable, t == "rbf"},
    };
    bool any = false;
    for (const auto& [widget, visible] : rows) {
        m_form->setRowVisible(widget, visible);
        any = any || visible;
    }
    m_none->setVisible(!any);
}

void LayerOptionsForm::edit(const std::function<void(lenet::LayerSpec&)>& change) {
    lenet::LayerSpec layer = m_layer;
    change(layer);
    if (layer == m_layer) return;
    m_layer = layer;
    Q_EMIT layerEdited(m_layer);
}

}  // namespace lenet::ui
