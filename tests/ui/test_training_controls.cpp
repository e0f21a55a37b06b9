// Qt Test of the training controls: a TrainingConfig round-trips through showConfig/applyTo;
// while running only the learning rate is editable and its changes are signalled; Train follows
// setTrainEnabled and explains why it is disabled; the distortion kinds and their preview.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QToolButton>
#include <QtTest>

#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "ui/inspect/selection_model.h"
#include "ui/training/training_controls.h"

using lenet::ui::TrainingControls;

class TestTrainingControls : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void roundTripsEveryField();
    void roundTripsEveryPresetsSettings();
    void showConfigIsNotAUserEdit();
    void patienceNeedsAValidationSplit();
    void onlyTheLearningRateChangesWhileRunning();
    void trainFollowsSetTrainEnabled();
    void grabsTheControlsInASidebar();
    void distortionKindsAndTheirPreview();

private:
    template <class T>
    T* child(const char* name) const {
        T* widget = m_controls->findChild<T*>(QString::fromLatin1(name));
        if (!widget) qFatal("no child %s", name);
        return widget;
    }
    /// Every field the controls edit, none at its default.
    static lenet::TrainingConfig unusualConfig();
    /// Fields that setRunning(true) locks.
    QList<QWidget*> lockedFields() const;

    std::unique_ptr<TrainingControls> m_controls;
};

void TestTrainingControls::init() {
    m_controls = std::make_unique<TrainingControls>();
    m_controls->resize(320, m_controls->sizeHint().height());
    m_controls->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_controls.get()));
}

void TestTrainingControls::cleanup() {
    m_controls.reset();
}

lenet::TrainingConfig TestTrainingControls::unusualConfig() {
    lenet::TrainingConfig c;
    c.optimizer = "rmsprop";
    c.lr = 0.0035f;
    c.schedule = "step";
    c.epochs = 7;
    c.batch = 48;
    c.trainLimit = 1234;
    c.testLimit = 567;
    c.l1 = 1e-5f;
    c.l2 = 2e-4f;
    c.weightDecay = 5e-4f;
    c.distort = true;
    c.validation = 0.15f;
    c.patience = 3;
    c.seed = 42;
    c.threads = 1;
    // Not edited by the controls: applyTo keeps them.
    c.momentum = 0.8f;
    c.beta1 = 0.85f;
    c.stepEpochs = 3;
    c.stepGamma = 0.25f;
    c.minLr = 1e-5f;
    c.sdlmSamples = 100;
    return c;
}

QList<QWidget*> TestTrainingControls::lockedFields() const {
    return {child<QComboBox>("optimizer"),
            child<QComboBox>("schedule"),
            child<QSpinBox>("epochs"),
            child<QSpinBox>("batch"),
            child<QSpinBox>("trainLimit"),
            child<QSpinBox>("testLimit"),
            child<QDoubleSpinBox>("l1"),
            child<QDoubleSpinBox>("l2"),
            child<QDoubleSpinBox>("weightDecay"),
            child<QComboBox>("distortion"),
            child<QDoubleSpinBox>("validation"),
            child<QSpinBox>("patience"),
            child<QSpinBox>("seed"),
            child<QSpinBox>("threads")};
}

void TestTrainingControls::roundTripsEveryField() {
    const lenet::TrainingConfig config = unusualConfig();
    m_controls->showConfig(config);
    QCOMPARE(child<QComboBox>("optimizer")->currentData().toString(), QStringLiteral("rmsprop"));
    QCOMPARE(child<QSpinBox>("batch")->value(), 48);
    QCOMPARE(child<QDoubleSpinBox>("validation")->value(), 15.0);
    QCOMPARE(child<QComboBox>("distortion")->currentData().toString(), QStringLiteral("affine"));
    QVERIFY(m_controls->applyTo(config) == config);

    // Onto defaults: every edited field arrives, the others keep the defaults.
    const lenet::TrainingConfig applied = m_controls->applyTo(lenet::TrainingConfig{});
    lenet::TrainingConfig expected = config;
    const lenet::TrainingConfig defaults;
    expected.momentum = defaults.momentum;
    expected.beta1 = defaults.beta1;
    expected.stepEpochs = defaults.stepEpochs;
    expected.stepGamma = defaults.stepGamma;
    expected.minLr = defaults.minLr;
    expected.sdlmSamples = defaults.sdlmSamples;
    QVERIFY(applied == expected);
    lenet::validate(applied);
}

void TestTrainingControls::roundTripsEveryPresetsSettings() {
    for (const std::string& name : lenet::presetNames()) {
        const lenet::TrainingConfig config = lenet::preset(name).training;
        m_controls->showConfig(config);
        QVERIFY2(m_controls->applyTo(config) == config, name.c_str());
    }
}

void TestTrainingControls::showConfigIsNotAUserEdit() {
    QSignalSpy rate(m_controls.get(), &TrainingControls::learningRateChanged);
    QSignalSpy settings(m_controls.get(), &TrainingControls::settingsChanged);
    QSignalSpy epochs(m_controls.get(), &TrainingControls::epochsChanged);
    m_controls->showConfig(unusualConfig());
    QCOMPARE(rate.count(), 0);
    QCOMPARE(settings.count(), 0);
    QCOMPARE(epochs.count(), 1);  // the window previews the epoch axis from it

    child<QSpinBox>("batch")->setValue(16);
    QCOMPARE(settings.count(), 1);
    QCOMPARE(m_controls->applyTo({}).batch, 16);
}

void TestTrainingControls::patienceNeedsAValidationSplit() {
    lenet::TrainingConfig config;
    m_controls->showConfig(config);
    auto* validation = child<QDoubleSpinBox>("validation");
    auto* patience = child<QSpinBox>("patience");
    QCOMPARE(validation->text(), QStringLiteral("off"));
    QVERIFY(!patience->isEnabled());
    validation->setValue(10.0);
    QVERIFY(patience->isEnabled());
    patience->setValue(2);
    QCOMPARE(m_controls->applyTo(config).patience, 2);
    QCOMPARE(m_controls->applyTo(config).validation, 0.1f);
    validation->setValue(0.0);
    QVERIFY(!patience->isEnabled());
    QCOMPARE(m_controls->applyTo(config).patience, 0);  // early stopping needs the split
    lenet::validate(m_controls->applyTo(config));
}

void TestTrainingControls::onlyTheLearningRateChangesWhileRunning() {
    m_controls->showConfig(unusualConfig());
    auto* rate = child<QDoubleSpinBox>("learningRate");
    auto* train = child<QPushButton>("train");
    auto* stop = child<QPushButton>("stop");
    const QString idleEpochsTip = child<QSpinBox>("epochs")->toolTip();
    QSignalSpy changed(m_controls.get(), &TrainingControls::learningRateChanged);

    m_controls->setRunning(true);
    QVERIFY(!train->isEnabled());
    QVERIFY(stop->isEnabled());
    QVERIFY(rate->isEnabled());
    for (QWidget* field : lockedFields()) {
        QVERIFY2(!field->isEnabled(), qPrintable(field->objectName()));
        QVERIFY2(field->toolTip().contains(QStringLiteral("Locked while training")),
                 qPrintable(field->objectName()));
    }
    QVERIFY(rate->toolTip().contains(QStringLiteral("next batch")));

    // A typed rate applies when it is complete (Enter), not digit by digit.
    rate->setFocus();
    rate->selectAll();
    QTest::keyClicks(rate, QStringLiteral("0.01"));
    QCOMPARE(changed.count(), 0);
    QTest::keyClick(rate, Qt::Key_Return);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.front().front().toDouble(), 0.01);
    QTest::keyClick(rate, Qt::Key_Up);  // a step applies at once
    QCOMPARE(changed.count(), 2);
    QVERIFY(changed.back().front().toDouble() > 0.01);

    m_controls->setRunning(false);
    QVERIFY(train->isEnabled());
    QVERIFY(!stop->isEnabled());
    for (QWidget* field : lockedFields()) QVERIFY(field->isEnabled());
    QCOMPARE(child<QSpinBox>("epochs")->toolTip(), idleEpochsTip);
}

void TestTrainingControls::trainFollowsSetTrainEnabled() {
    auto* train = child<QPushButton>("train");
    QVERIFY(train->isEnabled());
    const QString reason = QStringLiteral("layer 9 of x: kernel 7x7 is larger than its input");
    m_controls->setTrainEnabled(false, reason);
    QVERIFY(!train->isEnabled());
    QVERIFY2(train->toolTip().contains(reason), qPrintable(train->toolTip()));
    m_controls->setRunning(true);
    m_controls->setRunning(false);
    QVERIFY(!train->isEnabled());  // the end of a run does not lift the block
    m_controls->setTrainEnabled(true);
    QVERIFY(train->isEnabled());
    QVERIFY(!train->toolTip().contains(reason));
    m_controls->setRunning(true);
    m_controls->setTrainEnabled(true);
    QVERIFY(!train->isEnabled());  // nor does it start a second run
}

void TestTrainingControls::grabsTheControlsInASidebar() {
    m_controls->showConfig(lenet::preset("lenet5-1998").training);
    const QList<QWidget*> sections = {
        m_controls->findChild<QWidget*>(QStringLiteral("regularisationSection")),
        m_controls->findChild<QWidget*>(QStringLiteral("runSection"))};
    for (QWidget* section : sections) {
        QVERIFY(section);
        QVERIFY(QMetaObject::invokeMethod(section, "setExpanded", Q_ARG(bool, true)));
    }
    m_controls->resize(320, m_controls->sizeHint().height());
    QVERIFY(m_controls->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

void TestTrainingControls::distortionKindsAndTheirPreview() {
    auto* kind = child<QComboBox>("distortion");
    auto* preview = child<QLabel>("distortionPreview");
    lenet::TrainingConfig config;
    config.distort = true;
    config.distortion.maxShift = 1.5f;
    m_controls->showConfig(config);
    QCOMPARE(kind->currentData().toString(), QStringLiteral("affine"));
    QVERIFY(!preview->isHidden());
    QVERIFY(preview->text().contains(QStringLiteral("draw a digit")));  // nothing selected yet

    kind->setCurrentIndex(kind->findData(QStringLiteral("elastic")));
    lenet::TrainingConfig elastic = m_controls->applyTo(config);
    QVERIFY(elastic.distort);
    QCOMPARE(elastic.distortion.elasticAlpha, TrainingControls::kDefaultElasticAlpha);
    QCOMPARE(elastic.distortion.maxShift, 1.5f);  // the affine part as shown
    m_controls->showConfig(elastic);
    QCOMPARE(kind->currentData().toString(), QStringLiteral("elastic"));

    lenet::ui::SelectionModel selection;
    lenet::InkImage digit{28, 28, std::vector<float>(28 * 28, 0.0f)};
    for (int r = 6; r < 22; ++r) digit.ink[std::size_t(r) * 28 + 13] = 1.0f;  // a "1"
    selection.select({digit, 1, -1, QStringLiteral("a one")});
    m_controls->setPreviewSource(&selection);
    const QImage first = preview->pixmap().toImage();
    QVERIFY(!first.isNull());
    child<QToolButton>("redrawPreview")->click();
    QVERIFY(preview->pixmap().toImage() != first);  // other random draws

    kind->setCurrentIndex(kind->findData(QStringLiteral("none")));
    QVERIFY(preview->isHidden());
    QVERIFY(!m_controls->applyTo(config).distort);
    m_controls->setPreviewSource(nullptr);
}

QTEST_MAIN(TestTrainingControls)
#include "test_training_controls.moc"
