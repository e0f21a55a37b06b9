// LayerOptionsForm: one form row per LayerSpec field outside the table, hidden unless the shown
// layer's kind uses it (lenet::usesField); the tool tips are the fields' descriptions in the
// table of kinds. Numbers apply on Enter, on a step or when the field loses focus.
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

#include "lenet/kinds.h"
#include "ui/architecture/layer_kinds.h"

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
      m_stride(makeSpinBox("layerStride", 1, 8, describeField("stride"))),
      m_padding(makeSpinBox("layerPadding", 0, 16, describeField("padding"))),
      m_connections(
          makeComboBox("layerConnections", {"full", "lecun1998"}, describeField("connections"))),
      m_in(makeSpinBox("layerIn", 0, 1000000, describeField("in"))),
      m_slope(makeDoubleSpinBox("layerSlope", 0.0, 1.0, 3, describeField("slope"))),
      m_beta(makeDoubleSpinBox("layerBeta", 0.01, 100.0, 2, describeField("beta"))),
      m_momentum(makeDoubleSpinBox("layerMomentum", 0.0, 1.0, 3, describeField("momentum"))),
      m_eps(makeDoubleSpinBox("layerEps", 1e-8, 0.1, 8, describeField("eps"))),
      m_rate(makeDoubleSpinBox("layerRate", 0.0, 0.95, 2, describeField("rate"))),
      m_prototypes(
          makeComboBox("layerPrototypes", {"lecun1998", "random"}, describeField("prototypes"))),
      m_trainable(new QCheckBox(tr("Train the centres"))) {
    m_none->setObjectName(QStringLiteral("layerOptionsNone"));
    m_none->setWordWrap(true);
    m_none->setEnabled(false);
    m_in->setSpecialValueText(tr("any"));
    m_trainable->setObjectName(QStringLiteral("layerTrainable"));
    m_trainable->setToolTip(describeField("trainable"));

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

    // Each row and the field of the table of kinds it edits: shown when the layer uses it.
    const std::pair<QWidget*, const char*> rows[] = {
        {m_stride, "stride"},
        {m_padding, "padding"},
        {m_connections, "connections"},
        {m_in, "in"},
        {m_slope, "slope"},
        {m_beta, "beta"},
        {m_momentum, "momentum"},
        {m_eps, "eps"},
        {m_rate, "rate"},
        {m_prototypes, "prototypes"},
        {m_trainable, "trainable"},
    };
    bool any = false;
    for (const auto& [widget, key] : rows) {
        const bool visible = lenet::usesField(layer, key);
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
