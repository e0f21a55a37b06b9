// TrainingControls: a form over the fields of lenet::TrainingConfig a first run needs.
#include "ui/training_controls.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "lenet/parallel.h"

namespace lenet::ui {
namespace {

QSpinBox* makeSpinBox(const char* objectName, int min, int max, const QString& toolTip) {
    auto* box = new QSpinBox;
    box->setObjectName(QString::fromLatin1(objectName));
    box->setRange(min, max);
    box->setToolTip(toolTip);
    box->setGroupSeparatorShown(true);
    return box;
}

}  // namespace

TrainingControls::TrainingControls(QWidget* parent)
    : QWidget(parent),
      m_epochs(makeSpinBox("epochs", 1, 1000, tr("Passes over the training set"))),
      m_batch(makeSpinBox("batch", 1, 60000,
                          tr("Images per weight update (LeCun 1998 updated after every image)"))),
      m_learningRate(new QDoubleSpinBox),
      m_trainLimit(makeSpinBox("trainLimit", 0, 60000,
                               tr("Train on the first N images only; 0 = all 60,000"))),
      m_testLimit(makeSpinBox("testLimit", 0, 10000,
                              tr("Measure the test error on the first N test images only; "
                                 "0 = all 10,000"))),
      m_threads(makeSpinBox("threads", 0, 256,
                            tr("Cores used for training; 0 = all %1").arg(hardwareThreads()))),
      m_train(new QPushButton(tr("Train"))),
      m_stop(new QPushButton(tr("Stop"))) {
    m_learningRate->setObjectName(QStringLiteral("learningRate"));
    m_learningRate->setDecimals(6);
    m_learningRate->setRange(0.000001, 10.0);
    m_learningRate->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    m_learningRate->setToolTip(
        tr("Initial learning rate; the preset's schedule changes it over "
           "the epochs"));
    m_trainLimit->setSpecialValueText(tr("all"));
    m_testLimit->setSpecialValueText(tr("all"));
    m_threads->setSpecialValueText(tr("all"));

    m_train->setObjectName(QStringLiteral("train"));
    m_train->setToolTip(tr("Build the network from the selected preset and train it (Space)"));
    m_stop->setObjectName(QStringLiteral("stop"));
    m_stop->setToolTip(tr("Stop after the current batch and keep what was learnt (Esc)"));
    m_stop->setEnabled(false);

    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Learning rate"), m_learningRate);
    form->addRow(tr("Training images"), m_trainLimit);
    form->addRow(tr("Test images"), m_testLimit);
    form->addRow(tr("Threads"), m_threads);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_stop);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Training</b>")));
    layout->addLayout(form);
    layout->addLayout(buttons);

    connect(m_epochs, &QSpinBox::valueChanged, this, &TrainingControls::epochsChanged);
    connect(m_train, &QPushButton::clicked, this, &TrainingControls::trainClicked);
    connect(m_stop, &QPushButton::clicked, this, &TrainingControls::stopClicked);
}

void TrainingControls::showConfig(const lenet::TrainingConfig& config) {
    m_epochs->setValue(config.epochs);
    m_batch->setValue(config.batch);
    m_learningRate->setValue(double(config.lr));
    m_trainLimit->setValue(config.trainLimit);
    m_testLimit->setValue(config.testLimit);
    m_threads->setValue(config.threads);
}

lenet::TrainingConfig TrainingControls::applyTo(lenet::TrainingConfig config) const {
    config.epochs = m_epochs->value();
    config.batch = m_batch->value();
    config.lr = float(m_learningRate->value());
    config.trainLimit = m_trainLimit->value();
    config.testLimit = m_testLimit->value();
    config.threads = m_threads->value();
    return config;
}

void TrainingControls::setRunning(bool running) {
    for (QWidget* w : std::initializer_list<QWidget*>{m_epochs, m_batch, m_learningRate,
                                                      m_trainLimit, m_testLimit, m_threads}) {
        w->setEnabled(!running);
    }
    m_train->setEnabled(!running);
    m_stop->setEnabled(running);
}

}  // namespace lenet::ui
