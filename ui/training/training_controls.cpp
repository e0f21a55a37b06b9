// TrainingControls: a form over the fields of lenet::TrainingConfig that a user tunes; the
// optimiser-specific constants stay as the preset sets them. The optimiser and schedule boxes
// list the table of kinds (lenet/kinds.h) with its display names and descriptions.
#include "ui/training/training_controls.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "lenet/kinds.h"
#include "lenet/parallel.h"
#include "ui/architecture/layer_kinds.h"
#include "ui/collapsible_section.h"
#include "ui/inspect/map_images.h"
#include "ui/inspect/my_digits_store.h"
#include "ui/inspect/selection_model.h"

namespace lenet::ui {
namespace {

/// A combo box of `kinds` (optimisers or schedules from the table of kinds): the translated
/// display name, the key as item data and the description as the item's tool tip.
template <typename Kind>
QComboBox* makeComboBox(const char* objectName, const std::vector<Kind>& kinds,
                        const QString& toolTip) {
    auto* box = new QComboBox;
    box->setObjectName(QString::fromLatin1(objectName));
    for (const Kind& k : kinds) {
        box->addItem(translatedKindText(k.displayName), QString::fromLatin1(k.key));
        box->setItemData(box->count() - 1, translatedKindText(k.description), Qt::ToolTipRole);
    }
    box->setToolTip(toolTip);
    // Narrower than its longest name when the panel is narrow (the popup shows names whole).
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(8);
    return box;
}

QSpinBox* makeSpinBox(const char* objectName, int min, int max, const QString& toolTip) {
    auto* box = new QSpinBox;
    box->setObjectName(QString::fromLatin1(objectName));
    box->setRange(min, max);
    box->setToolTip(toolTip);
    box->setGroupSeparatorShown(true);
    return box;
}

QDoubleSpinBox* makeDoubleSpinBox(const char* objectName, double max, int decimals,
                                  const QString& toolTip) {
    auto* box = new QDoubleSpinBox;
    box->setObjectName(QString::fromLatin1(objectName));
    box->setRange(0.0, max);
    box->setDecimals(decimals);
    box->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    box->setToolTip(toolTip);
    return box;
}

/// A rate or penalty that may be switched off: 0 shows as "off".
QDoubleSpinBox* makePenaltyBox(const char* objectName, const QString& toolTip) {
    QDoubleSpinBox* box = makeDoubleSpinBox(objectName, 1.0, 6, toolTip);
    box->setSpecialValueText(TrainingControls::tr("off"));
    box->setSingleStep(0.0001);
    return box;
}

void selectData(QComboBox* box, const std::string& key) {
    box->setCurrentIndex(box->findData(QString::fromStdString(key)));
}

QFormLayout* makeForm() {
    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);  // a narrow panel: fields below labels
    return form;
}

/// Gives the label columns of `forms` one width, so that their fields line up.
void alignLabels(std::initializer_list<QFormLayout*> forms) {
    std::vector<QWidget*> labels;
    int width = 0;
    for (QFormLayout* form : forms) {
        for (int row = 0; row < form->rowCount(); ++row) {
            if (QLayoutItem* item = form->itemAt(row, QFormLayout::LabelRole)) {
                labels.push_back(item->widget());
                width = std::max(width, item->widget()->sizeHint().width());
            }
        }
    }
    for (QWidget* label : labels) label->setMinimumWidth(width);
}

}  // namespace

TrainingControls::TrainingControls(QWidget* parent)
    : QWidget(parent),
      m_optimizer(makeComboBox("optimizer", lenet::optimizerKinds(),
                               tr("How the weights follow the gradients"))),
      m_learningRate(makeDoubleSpinBox("learningRate", 10.0, 6, QString())),
      m_schedule(makeComboBox("schedule", lenet::scheduleKinds(),
                              tr("How the learning rate changes from epoch to epoch"))),
      m_epochs(makeSpinBox("epochs", 1, 1000, tr("Passes over the training set"))),
      m_batch(makeSpinBox("batch", 1, 60000,
                          tr("Images per weight update (LeCun 1998 updated after every image)"))),
      m_trainLimit(makeSpinBox("trainLimit", 0, 60000,
                               tr("Train on the first N images only, for a quick run; "
                                  "all = the whole training set"))),
      m_testLimit(makeSpinBox("testLimit", 0, 10000,
                              tr("Measure the test error on the first N test images only; "
                                 "all = the whole test set"))),
      m_l1(makePenaltyBox("l1", tr("L1 penalty on the weights (pushes them to exactly 0)"))),
      m_l2(makePenaltyBox("l2", tr("L2 penalty on the weights, added to the gradient"))),
      m_weightDecay(makePenaltyBox(
          "weightDecay", tr("Decoupled weight decay (AdamW style): w -= rate x decay x w"))),
      m_distortion(new QComboBox),
      m_preview(new QLabel),
      m_redraw(new QToolButton),
      m_myDigits(new QCheckBox),
      m_validation(makeDoubleSpinBox("validation", 90.0, 1,
                                     tr("Share of the training set held out to measure the "
                                        "validation error each epoch"))),
      m_patience(makeSpinBox("patience", 0, 100,
                             tr("Stop when the validation error has not improved for this many "
                                "epochs (needs a validation split)"))),
      m_seed(makeSpinBox("seed", 0, INT_MAX,
                         tr("Seed of the initial weights, the shuffling and the distortions: "
                            "the same seed gives the same run"))),
      m_threads(makeSpinBox("threads", 0, 256,
                            tr("Cores used for training; all = %1").arg(hardwareThreads()))),
      m_train(new QPushButton(tr("Train"))),
      m_stop(new QPushButton(tr("Stop"))) {
    m_learningRate->setRange(0.000001, 10.0);
    m_learningRate->setKeyboardTracking(false);  // a rate applies once typed, not per digit
    m_trainLimit->setSpecialValueText(tr("all"));
    m_testLimit->setSpecialValueText(tr("all"));
    m_threads->setSpecialValueText(tr("all"));
    m_seed->setGroupSeparatorShown(false);
    m_distortion->setObjectName(QStringLiteral("distortion"));
    m_distortion->addItem(tr("None"), QStringLiteral("none"));
    // Short names that fit the form's narrowest width; the tooltips name the papers.
    m_distortion->addItem(tr("Affine"), QStringLiteral("affine"));
    m_distortion->setItemData(1,
                              tr("Shift, scale, squeeze and shear each training image at random "
                                 "(LeCun 1998's distorted set)"),
                              Qt::ToolTipRole);
    m_distortion->addItem(tr("Affine+elastic"), QStringLiteral("elastic"));
    m_distortion->setItemData(2,
                              tr("The affine distortions, then a random smooth displacement field "
                                 "that bends the strokes (Simard, Steinkraus and Platt 2003)"),
                              Qt::ToolTipRole);
    m_distortion->setToolTip(
        tr("Random distortions of every training image, new in every epoch: more varied digits "
           "than the training set holds"));
    m_distortion->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_distortion->setMinimumContentsLength(8);
    m_preview->setObjectName(QStringLiteral("distortionPreview"));
    m_preview->setWordWrap(true);
    m_preview->setToolTip(tr("The selected digit as the next run's distortions may show it"));
    m_redraw->setObjectName(QStringLiteral("redrawPreview"));
    m_redraw->setText(tr("Other samples"));
    m_redraw->setToolTip(tr("Draw other random distortions for the preview"));
    m_myDigits->setObjectName(QStringLiteral("myDigits"));
    m_myDigits->hide();
    m_validation->setSuffix(tr(" %"));
    m_validation->setSpecialValueText(tr("off"));
    m_validation->setSingleStep(5.0);
    m_patience->setSpecialValueText(tr("off"));
    m_patience->setSuffix(tr(" epochs"));

    m_train->setObjectName(QStringLiteral("train"));
    m_stop->setObjectName(QStringLiteral("stop"));
    m_stop->setToolTip(tr("Stop after the current batch and keep what was learnt (Esc)"));

    auto* form = makeForm();
    form->addRow(tr("Optimiser"), m_optimizer);
    form->addRow(tr("Learning rate"), m_learningRate);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Training images"), m_trainLimit);
    form->addRow(tr("Test images"), m_testLimit);
    form->addRow(m_myDigits);  // the whole row: a long label needs no label column

    auto* regularisationForm = makeForm();
    regularisationForm->addRow(tr("L1"), m_l1);
    regularisationForm->addRow(tr("L2"), m_l2);
    regularisationForm->addRow(tr("Weight decay"), m_weightDecay);
    regularisationForm->addRow(tr("Distortions"), m_distortion);
    // The button under the samples, not beside them: side by side they are wider than the
    // training panel at 1280x720.
    auto* preview = new QVBoxLayout;
    preview->addWidget(m_preview);
    preview->addWidget(m_redraw, 0, Qt::AlignLeft);
    regularisationForm->addRow(preview);
    regularisationForm->addRow(tr("Validation"), m_validation);
    regularisationForm->addRow(tr("Patience"), m_patience);
    auto* regularisation =
        new CollapsibleSection(tr("Against overfitting"),
                               tr("Penalties, distortions, a validation split and early stopping"));
    regularisation->setObjectName(QStringLiteral("regularisationSection"));
    regularisation->setContentLayout(regularisationForm);

    auto* runForm = makeForm();
    runForm->addRow(tr("Seed"), m_seed);
    runForm->addRow(tr("Threads"), m_threads);
    auto* run =
        new CollapsibleSection(tr("Seed and threads"), tr("Reproducibility and the cores used"));
    run->setObjectName(QStringLiteral("runSection"));
    run->setContentLayout(runForm);

    alignLabels({form, regularisationForm, runForm});

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_stop);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(regularisation);
    layout->addWidget(run);
    layout->addLayout(buttons);
    layout->addStretch(1);  // the spare height below the buttons, not between the sections

    for (QWidget* field : std::initializer_list<QWidget*>{
             m_optimizer, m_schedule, m_epochs, m_batch, m_trainLimit, m_testLimit, m_l1, m_l2,
             m_weightDecay, m_distortion, m_validation, m_patience, m_seed, m_threads}) {
        addLockable(field);
    }
    for (QComboBox* box : {m_optimizer, m_schedule, m_distortion}) {
        connect(box, &QComboBox::currentIndexChanged, this, &TrainingControls::userEdited);
    }
    for (QSpinBox* box :
         {m_epochs, m_batch, m_trainLimit, m_testLimit, m_patience, m_seed, m_threads}) {
        connect(box, &QSpinBox::valueChanged, this, &TrainingControls::userEdited);
    }
    for (QDoubleSpinBox* box : {m_l1, m_l2, m_weightDecay, m_validation}) {
        connect(box, &QDoubleSpinBox::valueChanged, this, &TrainingControls::userEdited);
    }
    connect(m_trainLimit, &QSpinBox::valueChanged, this,
            [this] { m_trainLimitChosen = m_trainLimitChosen || !m_showing; });
    connect(m_testLimit, &QSpinBox::valueChanged, this,
            [this] { m_testLimitChosen = m_testLimitChosen || !m_showing; });
    connect(m_distortion, &QComboBox::currentIndexChanged, this, &TrainingControls::updatePreview);
    connect(m_redraw, &QToolButton::clicked, this, [this] {
        ++m_previewDraw;
        updatePreview();
    });
    connect(m_myDigits, &QCheckBox::toggled, this, &TrainingControls::userEdited);
    connect(m_validation, &QDoubleSpinBox::valueChanged, this, &TrainingControls::updateEnabled);
    connect(m_learningRate, &QDoubleSpinBox::valueChanged, this, [this](double rate) {
        if (m_showing) return;
        Q_EMIT learningRateChanged(rate);
        Q_EMIT settingsChanged();
    });
    connect(m_epochs, &QSpinBox::valueChanged, this, &TrainingControls::epochsChanged);
    connect(m_train, &QPushButton::clicked, this, &TrainingControls::trainClicked);
    connect(m_stop, &QPushButton::clicked, this, &TrainingControls::stopClicked);
    updateEnabled();
    updatePreview();
}

TrainingControls::~TrainingControls() {
    for (QWidget* field : findChildren<QWidget*>()) field->disconnect(this);
}

void TrainingControls::addLockable(QWidget* field) {
    m_lockable.emplace_back(field, field->toolTip());
}

void TrainingControls::userEdited() {
    if (!m_showing) Q_EMIT settingsChanged();
}

void TrainingControls::showConfig(const lenet::TrainingConfig& config) {
    m_showing = true;
    selectData(m_optimizer, config.optimizer);
    m_learningRate->setValue(double(config.lr));
    selectData(m_schedule, config.schedule);
    m_epochs->setValue(config.epochs);
    m_batch->setValue(config.batch);
    if (!m_trainLimitChosen) m_trainLimit->setValue(config.trainLimit);
    if (!m_testLimitChosen) m_testLimit->setValue(config.testLimit);
    m_l1->setValue(double(config.l1));
    m_l2->setValue(double(config.l2));
    m_weightDecay->setValue(double(config.weightDecay));
    m_shownDistortion = config.distortion;
    selectData(m_distortion, !config.distort                         ? "none"
                             : config.distortion.elasticAlpha > 0.0f ? "elastic"
                                                                     : "affine");
    m_validation->setValue(100.0 * double(config.validation));
    m_patience->setValue(config.patience);
    m_seed->setValue(int(std::min<std::uint64_t>(config.seed, INT_MAX)));
    m_threads->setValue(config.threads);
    m_showing = false;
}

void TrainingControls::chooseLimits(int trainLimit, int testLimit) {
    if (trainLimit >= 0) {
        m_trainLimit->setValue(trainLimit);
        m_trainLimitChosen = true;
    }
    if (testLimit >= 0) {
        m_testLimit->setValue(testLimit);
        m_testLimitChosen = true;
    }
}

lenet::TrainingConfig TrainingControls::applyTo(lenet::TrainingConfig config) const {
    config.optimizer = m_optimizer->currentData().toString().toStdString();
    config.lr = float(m_learningRate->value());
    config.schedule = m_schedule->currentData().toString().toStdString();
    config.epochs = m_epochs->value();
    config.batch = m_batch->value();
    config.trainLimit = m_trainLimit->value();
    config.testLimit = m_testLimit->value();
    config.l1 = float(m_l1->value());
    config.l2 = float(m_l2->value());
    config.weightDecay = float(m_weightDecay->value());
    applyDistortion(config);
    config.validation = float(m_validation->value() / 100.0);
    config.patience = m_validation->value() > 0.0 ? m_patience->value() : 0;
    config.seed = std::uint64_t(m_seed->value());
    config.threads = m_threads->value();
    return config;
}

void TrainingControls::setMyDigits(MyDigitsStore* store) {
    if (m_myDigitsStore) disconnect(m_myDigitsStore, nullptr, this, nullptr);
    m_myDigitsStore = store;
    if (store) connect(store, &MyDigitsStore::changed, this, &TrainingControls::updateEnabled);
    m_myDigits->setVisible(store != nullptr);
    updateEnabled();
}

std::shared_ptr<const lenet::Dataset> TrainingControls::extraTrainingData() const {
    if (!m_myDigitsStore || !m_myDigits->isChecked()) return nullptr;
    return m_myDigitsStore->dataset();
}

void TrainingControls::setRunning(bool running) {
    m_running = running;
    updateEnabled();
}

void TrainingControls::setTrainEnabled(bool enabled, const QString& reason) {
    m_trainAllowed = enabled;
    m_trainBlockedReason = reason;
    updateEnabled();
}

void TrainingControls::updateEnabled() {
    const QString restart =
        tr("\nLocked while training: stop the run and train again to use a "
           "new value.");
    for (const auto& [field, toolTip] : m_lockable) {
        field->setEnabled(!m_running);
        field->setToolTip(m_running ? toolTip + restart : toolTip);
    }
    m_patience->setEnabled(!m_running && m_validation->value() > 0.0);
    const int digits = m_myDigitsStore ? m_myDigitsStore->count() : 0;
    m_myDigits->setText(tr("Train on my digits too (%1)").arg(digits));
    m_myDigits->setEnabled(!m_running && digits > 0);
    QString myDigitsTip =
        digits > 0 ? tr("Train on the digits you saved with \"Add to my digits\" as well: they "
                        "are added to the training images (after the limit above) and never "
                        "held out for validation")
                   : tr("No digits saved yet: draw a digit and press \"Add to my digits\" in "
                        "the drawing panel");
    m_myDigits->setToolTip(m_running ? myDigitsTip + restart : myDigitsTip);
    m_learningRate->setToolTip(
        m_running ? tr("Learning rate of the running training: a new value applies from the "
                       "next batch on (the schedule then scales it)")
                  : tr("Initial learning rate; the schedule changes it over the epochs"));

    m_train->setEnabled(!m_running && m_trainAllowed);
    if (m_trainAllowed || m_running) {
        m_train->setToolTip(
            tr("Build the network from the chosen architecture and train it "
               "(Space)"));
    } else {
        m_train->setToolTip(
            tr("Train is unavailable: %1")
                .arg(m_trainBlockedReason.isEmpty()
                         ? tr("the architecture does not fit together; the layer table marks "
                              "the layer in red and says why")
                         : m_trainBlockedReason));
    }
    m_stop->setEnabled(m_running);
}

void TrainingControls::applyDistortion(lenet::TrainingConfig& config) const {
    const QString kind = m_distortion->currentData().toString();
    config.distort = kind != QLatin1String("none");
    if (kind == QLatin1String("affine")) config.distortion.elasticAlpha = 0.0f;
    if (kind == QLatin1String("elastic") && !(config.distortion.elasticAlpha > 0.0f))
        config.distortion.elasticAlpha = kDefaultElasticAlpha;
}

void TrainingControls::setPreviewSource(SelectionModel* selection) {
    followSelection(m_previewSource, selection, this, [this](const SelectedImage& s) {
        m_previewImage = s.image;
        updatePreview();
    });
}

void TrainingControls::updatePreview() {
    lenet::TrainingConfig config;
    config.distortion = m_shownDistortion;
    applyDistortion(config);
    m_redraw->setVisible(config.distort && !m_previewImage.ink.empty());
    m_preview->setVisible(config.distort);
    if (!config.distort) return;
    if (m_previewImage.ink.empty()) {
        m_preview->setPixmap({});
        m_preview->setText(tr("Pick a test image or draw a digit to preview the distortions"));
        return;
    }
    // Two rows of four, each digit at 1.5 times its size.
    constexpr int kColumns = 4, kRows = 2, kGap = 3;
    const int side = m_previewImage.cols * 3 / 2;
    QPixmap sheet((side + kGap) * kColumns - kGap, (side + kGap) * kRows - kGap);
    sheet.fill(palette().color(QPalette::Window));
    QPainter painter(&sheet);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    for (int i = 0; i < kColumns * kRows; ++i) {
        std::mt19937 rng(m_previewDraw * kColumns * kRows + unsigned(i));
        const lenet::InkImage d = lenet::distort(m_previewImage, config.distortion, rng);
        const QImage image =
            valuesToImage(d.ink.data(), d.cols, d.rows, ValueRange{0.0f, 1.0f}, Palette::Ink);
        painter.drawImage(
            QRect((i % kColumns) * (side + kGap), (i / kColumns) * (side + kGap), side, side),
            image);
    }
    painter.end();
    m_preview->setPixmap(sheet);
}

}  // namespace lenet::ui
