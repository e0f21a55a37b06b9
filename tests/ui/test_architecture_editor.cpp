// Qt Test of the architecture chooser and editor (PresetPanel, ArchitectureEditor): every preset
// is listed; edits are checked live, a layer that does not fit is marked and disables Train;
// head, insert/remove/move and revert; specs saved as JSON load back equal.
#include <QAbstractButton>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "ui/architecture/layer_table_model.h"
#include "ui/architecture/preset_item_delegate.h"
#include "ui/architecture/preset_panel.h"
#include "ui/collapsible_section.h"
#include "ui/training/training_controls.h"

using lenet::ui::CollapsibleSection;
using lenet::ui::LayerTableModel;
using lenet::ui::PresetItemDelegate;
using lenet::ui::PresetPanel;
using lenet::ui::TrainingControls;

class TestArchitectureEditor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void listsEveryPreset();
    void showsTheLayersWithShapesAndParameters();
    void kernelLargerThanItsInputIsMarkedAndDisablesTrain();
    void fcInputsThatDoNotMatchAreMarkedAndRevertFixesThem();
    void editsThroughTheTableEditors();
    void insertsRemovesAndMovesLayers();
    void switchesTheHead();
    void savedSpecLoadsBackEqual();
    void showSpecChoosesThePresetOrAnEntryOfItsOwn();
    void keyboardShortcutsEditTheLayers();
    void closingWithAnEditorOpenIsSafe();
    void grabsThePanelInASidebar();

private:
    template <class T>
    T* child(const char* name) const {
        T* widget = m_panel->findChild<T*>(QString::fromLatin1(name));
        if (!widget) qFatal("no child %s", name);
        return widget;
    }
    QAbstractItemModel* layers() const { return child<QTableView>("layerTable")->model(); }
    void selectLayer(int row) const;
    QString layerType(int row) const {
        return QString::fromStdString(m_panel->currentSpec().layers[std::size_t(row)].type);
    }
    QString layerFn(int row) const {
        return QString::fromStdString(m_panel->currentSpec().layers[std::size_t(row)].fn);
    }
    void click(const char* button) const;

    std::unique_ptr<PresetPanel> m_panel;
    std::unique_ptr<TrainingControls> m_controls;
};

void TestArchitectureEditor::init() {
    m_panel = std::make_unique<PresetPanel>();
    m_controls = std::make_unique<TrainingControls>();
    // As the window wires them: Train follows the architecture's verdict.
    connect(m_panel.get(), &PresetPanel::specChanged, m_controls.get(),
            [this](bool valid) { m_controls->setTrainEnabled(valid, m_panel->specProblem()); });
    m_panel->resize(320, 760);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void TestArchitectureEditor::cleanup() {
    m_controls.reset();
    m_panel.reset();
}

void TestArchitectureEditor::selectLayer(int row) const {
    auto* table = child<QTableView>("layerTable");
    table->setCurrentIndex(table->model()->index(row, LayerTableModel::Kind));
}

void TestArchitectureEditor::click(const char* button) const {
    QTest::mouseClick(child<QToolButton>(button), Qt::LeftButton);
}

void TestArchitectureEditor::listsEveryPreset() {
    auto* list = child<QListWidget>("presetList");
    const std::vector<std::string> names = lenet::presetNames();
    QVERIFY(names.size() >= 3);
    QCOMPARE(list->count(), int(names.size()));
    for (int row = 0; row < list->count(); ++row) {
        const QListWidgetItem* item = list->item(row);
        const lenet::ArchitectureSpec spec = lenet::preset(names[std::size_t(row)]);
        QCOMPARE(item->data(Qt::UserRole).toString(), QString::fromStdString(spec.name));
        QVERIFY(item->text().contains(QStringLiteral("parameters")));
        QCOMPARE(item->toolTip(), QString::fromStdString(spec.description));
        QCOMPARE(item->data(PresetItemDelegate::DescriptionRole).toString(),
                 QString::fromStdString(spec.description));
        QVERIFY(item->data(PresetItemDelegate::FitsRole).toBool());
    }
}

void TestArchitectureEditor::showsTheLayersWithShapesAndParameters() {
    QSignalSpy selected(m_panel.get(), &PresetPanel::presetSelected);
    QSignalSpy changed(m_panel.get(), &PresetPanel::specChanged);
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-1998")));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.front().front().toString(), QStringLiteral("lenet5-1998"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.front().front().toBool(), true);

    QAbstractItemModel* model = layers();
    QCOMPARE(model->rowCount(), 13);
    QCOMPARE(model->index(0, LayerTableModel::Name).data().toString(), QStringLiteral("C1"));
    QCOMPARE(model->index(0, LayerTableModel::Units).data().toInt(), 6);
    QCOMPARE(model->index(0, LayerTableModel::Kernel).data().toString(), QStringLiteral("5x5"));
    QCOMPARE(model->index(1, LayerTableModel::Kind).data().toString(),
             QStringLiteral("scaled_tanh"));
    QCOMPARE(model->index(4, LayerTableModel::Output).data().toString(),
             QStringLiteral("16x10x10"));
    QCOMPARE(model->index(4, LayerTableModel::Params).data().toString(), QStringLiteral("1,516"));
    QCOMPARE(model->index(12, LayerTableModel::Kind).data().toString(), QStringLiteral("rbf"));
    QVERIFY(!(model->flags(model->index(1, LayerTableModel::Units)) & Qt::ItemIsEditable));
    QVERIFY(model->flags(model->index(0, LayerTableModel::Kernel)) & Qt::ItemIsEditable);

    QString digits = child<QLabel>("totalParameters")->text();
    digits.remove(QRegularExpression(QStringLiteral("<[^>]*>|[^0-9]")));
    QCOMPARE(digits, QStringLiteral("60000"));
    QVERIFY(m_panel->specIsValid());
    QVERIFY(!m_panel->isModified());
    QCOMPARE(child<QComboBox>("head")->currentData().toString(), QStringLiteral("map"));
}

void TestArchitectureEditor::kernelLargerThanItsInputIsMarkedAndDisablesTrain() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-1998")));
    auto* train = m_controls->findChild<QPushButton*>(QStringLiteral("train"));
    QVERIFY(train && train->isEnabled());
    QSignalSpy changed(m_panel.get(), &PresetPanel::specChanged);

    QAbstractItemModel* model = layers();
    const QModelIndex c5 = model->index(8, LayerTableModel::Kernel);  // C5 sees 16x5x5
    QVERIFY(model->setData(c5, 7));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.front().front().toBool(), false);
    QVERIFY(!m_panel->specIsValid());

    const QString problem = m_panel->specProblem();
    QVERIFY2(problem.contains(QStringLiteral("layer 9")), qPrintable(problem));
    QVERIFY2(problem.contains(QStringLiteral("'C5'")), qPrintable(problem));
    QVERIFY2(problem.contains(QStringLiteral("7x7")), qPrintable(problem));
    QVERIFY2(problem.contains(QStringLiteral("16x5x5")), qPrintable(problem));
    auto* label = child<QLabel>("specProblem");
    QVERIFY(label->isVisible());
    QCOMPARE(label->text(), problem);

    for (int column = 0; column < model->columnCount(); ++column) {
        QCOMPARE(model->index(8, column).data(Qt::BackgroundRole).value<QColor>().red(), 255);
        QCOMPARE(model->index(8, column).data(Qt::ToolTipRole).toString(), problem);
    }
    QVERIFY(!model->index(7, 0).data(Qt::BackgroundRole).isValid());
    QCOMPARE(model->index(7, LayerTableModel::Output).data().toString(),
             QStringLiteral("16x5x5"));  // the layers before still show their shapes
    QCOMPARE(model->index(9, LayerTableModel::Output).data().toString(), QStringLiteral("?"));
    QVERIFY(!train->isEnabled());
    QVERIFY2(train->toolTip().contains(problem), qPrintable(train->toolTip()));
    QVERIFY(m_panel->isModified());
    QCOMPARE(child<QListWidget>("presetList")->currentItem()->data(PresetItemDelegate::FitsRole),
             QVariant(false));

    QVERIFY(model->setData(c5, 5));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.back().front().toBool(), true);
    QVERIFY(m_panel->specIsValid());
    QVERIFY(m_panel->specProblem().isEmpty());
    QVERIFY(!label->isVisible());
    QVERIFY(!model->index(8, 0).data(Qt::BackgroundRole).isValid());
    QCOMPARE(model->index(9, LayerTableModel::Output).data().toString(), QStringLiteral("120x1x1"));
    QVERIFY(train->isEnabled());
    QVERIFY(!m_panel->isModified());  // back to the preset's own value
}

void TestArchitectureEditor::fcInputsThatDoNotMatchAreMarkedAndRevertFixesThem() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    QAbstractItemModel* model = layers();
    QCOMPARE(model->index(8, LayerTableModel::Kind).data().toString(), QStringLiteral("fc"));
    selectLayer(8);
    auto* options = child<CollapsibleSection>("layerOptionsSection");
    QCOMPARE(options->findChild<QAbstractButton*>()->text(), QStringLiteral("Layer 9: F5 (fc)"));
    QVERIFY(!options->isExpanded());  // folded until asked for: the table needs the room
    options->setExpanded(true);
    auto* in = child<QSpinBox>("layerIn");
    QVERIFY(in->isVisible());
    QCOMPARE(in->value(), 400);
    QVERIFY(!child<QSpinBox>("layerStride")->isVisible());  // a conv setting

    QSignalSpy changed(m_panel.get(), &PresetPanel::specChanged);
    in->setValue(300);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.front().front().toBool(), false);
    const QString problem = m_panel->specProblem();
    QVERIFY2(problem.contains(QStringLiteral("expects 300 inputs")), qPrintable(problem));
    QVERIFY2(problem.contains(QStringLiteral("16x5x5 = 400")), qPrintable(problem));
    QCOMPARE(model->index(8, LayerTableModel::Kind).data(Qt::ToolTipRole).toString(), problem);
    QVERIFY(!m_controls->findChild<QPushButton*>(QStringLiteral("train"))->isEnabled());
    QCOMPARE(m_panel->currentLabel(), QStringLiteral("lenet5-modern *"));
    QVERIFY(child<QToolButton>("revertSpec")->isEnabled());

    // Another preset and back: the edit is kept with its entry.
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-1998")));
    QVERIFY(m_panel->specIsValid());
    QVERIFY(m_controls->findChild<QPushButton*>(QStringLiteral("train"))->isEnabled());
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    QVERIFY(!m_panel->specIsValid());
    QCOMPARE(m_panel->currentSpec().layers[8].in, 300);

    click("revertSpec");
    QVERIFY(m_panel->specIsValid());
    QVERIFY(!m_panel->isModified());
    QCOMPARE(changed.back().front().toBool(), true);
    QCOMPARE(m_panel->currentSpec().layers[8].in, 400);
    QCOMPARE(m_panel->currentLabel(), QStringLiteral("lenet5-modern"));
    QVERIFY(!child<QToolButton>("revertSpec")->isEnabled());
    QVERIFY(m_controls->findChild<QPushButton*>(QStringLiteral("train"))->isEnabled());
}

void TestArchitectureEditor::editsThroughTheTableEditors() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    auto* table = child<QTableView>("layerTable");
    QAbstractItemModel* model = table->model();

    // Units of C1 through its spin box: 6 -> 8 maps; the fc "in" check downstream still fits
    // because C3 gives 16 maps whatever C1 gives.
    const QModelIndex units = model->index(0, LayerTableModel::Units);
    table->setCurrentIndex(units);
    table->edit(units);
    auto* spin = table->viewport()->findChild<QSpinBox*>();
    QVERIFY(spin);
    spin->setValue(8);
    QTest::keyClick(spin, Qt::Key_Return);  // the delegate commits from the event loop
    QTRY_COMPARE(model->index(0, LayerTableModel::Units).data().toInt(), 8);
    QCOMPARE(model->index(0, LayerTableModel::Output).data().toString(), QStringLiteral("8x28x28"));
    QVERIFY(m_panel->specIsValid());

    // The kind of the third layer (relu) through its combo box: sigmoid.
    const QModelIndex kind = model->index(2, LayerTableModel::Kind);
    table->setCurrentIndex(kind);
    table->edit(kind);
    auto* combo = table->viewport()->findChild<QComboBox*>();
    QVERIFY(combo);
    const int sigmoid = combo->findData(QStringLiteral("sigmoid"));
    QVERIFY(sigmoid >= 0);
    QVERIFY(combo->findData(QStringLiteral("maxpool")) >= 0);
    combo->setCurrentIndex(sigmoid);
    Q_EMIT combo->activated(sigmoid);
    QCOMPARE(layerType(2), QStringLiteral("activation"));
    QCOMPARE(layerFn(2), QStringLiteral("sigmoid"));
    QVERIFY(m_panel->specIsValid());
    QVERIFY(m_panel->isModified());
}

void TestArchitectureEditor::insertsRemovesAndMovesLayers() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    QAbstractItemModel* model = layers();
    QCOMPARE(model->rowCount(), 13);
    selectLayer(3);  // S2, maxpool: 6x14x14

    QMenu* menu = child<QToolButton>("insertLayer")->menu();
    QVERIFY(menu);
    QAction* conv = nullptr;
    for (QAction* action : menu->actions()) {
        if (action->text() == QLatin1String("conv")) conv = action;
    }
    QVERIFY(conv);
    conv->trigger();
    QCOMPARE(model->rowCount(), 14);
    QCOMPARE(layerType(4), QStringLiteral("conv"));
    QCOMPARE(model->index(4, LayerTableModel::Output).data().toString(),
             QStringLiteral("6x14x14"));  // 6 maps, 3x3 with padding 1: the shapes stay
    QVERIFY(m_panel->specIsValid());

    click("removeLayer");
    QCOMPARE(model->rowCount(), 13);
    QCOMPARE(layerType(4), QStringLiteral("conv"));  // C3 again
    QVERIFY(!m_panel->isModified());

    selectLayer(1);  // batchnorm, then relu
    click("moveLayerDown");
    QCOMPARE(layerFn(1), QStringLiteral("relu"));
    QCOMPARE(layerType(2), QStringLiteral("batchnorm"));
    QCOMPARE(child<QTableView>("layerTable")->currentIndex().row(), 2);
    QVERIFY(m_panel->specIsValid());
    QVERIFY(m_panel->isModified());
    click("moveLayerUp");
    QVERIFY(!m_panel->isModified());

    // F5 moved before the pooling S4 sees 16x10x10 instead of the 400 inputs it checks for.
    selectLayer(8);
    click("moveLayerUp");
    QVERIFY(!m_panel->specIsValid());
    QCOMPARE(model->index(7, LayerTableModel::Kind).data(Qt::ToolTipRole).toString(),
             m_panel->specProblem());
    QVERIFY2(m_panel->specProblem().contains(QStringLiteral("16x10x10 = 1600")),
             qPrintable(m_panel->specProblem()));
}

void TestArchitectureEditor::switchesTheHead() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    auto* head = child<QComboBox>("head");
    QCOMPARE(head->currentData().toString(), QStringLiteral("softmax"));
    head->setFocus();
    QTest::keyClick(head, Qt::Key_Down);  // RBF, MAP loss
    QCOMPARE(head->currentData().toString(), QStringLiteral("map"));
    const lenet::ArchitectureSpec& spec = m_panel->currentSpec();
    QVERIFY(spec.loss == lenet::LossKind::Map);
    QCOMPARE(QString::fromStdString(spec.layers.back().type), QStringLiteral("rbf"));
    QVERIFY(m_panel->specIsValid());
    QCOMPARE(layers()->index(layers()->rowCount() - 1, LayerTableModel::Output).data().toString(),
             QStringLiteral("10x1x1"));

    // An rbf output with the softmax loss does not fit; the head combo shows the loss.
    QAbstractItemModel* model = layers();
    QVERIFY(model->setData(model->index(model->rowCount() - 1, LayerTableModel::Kind),
                           QStringLiteral("fc")));
    QVERIFY(!m_panel->specIsValid());
    QCOMPARE(model->index(model->rowCount() - 1, 0).data(Qt::ToolTipRole).toString(),
             m_panel->specProblem());
    QTest::keyClick(head, Qt::Key_Up);  // softmax, cross-entropy
    QVERIFY(m_panel->specIsValid());
}

void TestArchitectureEditor::savedSpecLoadsBackEqual() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    QAbstractItemModel* model = layers();
    QVERIFY(model->setData(model->index(4, LayerTableModel::Units), 20));  // C3: 20 maps
    QVERIFY(model->setData(model->index(8, LayerTableModel::Name), QStringLiteral("F5")));
    selectLayer(8);
    child<QSpinBox>("layerIn")->setValue(0);  // any: C3's maps changed the flattened size
    QVERIFY2(m_panel->specIsValid(), qPrintable(m_panel->specProblem()));
    lenet::TrainingConfig training = m_panel->currentSpec().training;
    training.epochs = 3;
    training.lr = 0.0125f;
    m_panel->setTraining(training);
    QVERIFY(m_panel->isModified());

    const QString path = dir.filePath(QStringLiteral("my-net.json"));
    const int entries = child<QListWidget>("presetList")->count();
    m_panel->saveSpecFile(path);
    QCOMPARE(m_panel->currentName(), QStringLiteral("my-net"));
    QVERIFY(!m_panel->isPreset());
    QVERIFY(!m_panel->isModified());
    QCOMPARE(child<QListWidget>("presetList")->count(), entries + 1);

    const lenet::ArchitectureSpec loaded = lenet::loadSpecFile(path.toStdString());
    QCOMPARE(QString::fromStdString(loaded.name), QStringLiteral("my-net"));
    QCOMPARE(loaded.training.epochs, 3);
    QCOMPARE(loaded.layers[4].maps, 20);
    QCOMPARE(QString::fromStdString(loaded.layers[8].name), QStringLiteral("F5"));
    QVERIFY(lenet::toJson(loaded) == lenet::toJson(m_panel->currentSpec()));
    QVERIFY(loaded.layers == m_panel->currentSpec().layers);
    QVERIFY(loaded.training == m_panel->currentSpec().training);

    // A broken file is refused with the reason and leaves the current spec shown.
    const QString broken = dir.filePath(QStringLiteral("broken.json"));
    lenet::writeFileAtomically(broken.toStdString(),
                               R"({"name": "x", "layers": [{"type": "conv", "kernal": 5}]})");
    QVERIFY_THROWS_EXCEPTION(lenet::ConfigError, m_panel->openSpecFile(broken));
    try {
        m_panel->openSpecFile(broken);
    } catch (const lenet::ConfigError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("layers[0].kernal")),
                 e.what());
    }
    QCOMPARE(m_panel->currentName(), QStringLiteral("my-net"));

    // Opening the saved file again replaces its entry instead of adding another.
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-1998")));
    m_panel->openSpecFile(path);
    QCOMPARE(m_panel->currentName(), QStringLiteral("my-net"));
    QCOMPARE(child<QListWidget>("presetList")->count(), entries + 1);
    QVERIFY(lenet::toJson(loaded) == lenet::toJson(m_panel->currentSpec()));
    QVERIFY(m_panel->currentLabel() == QStringLiteral("my-net"));
}

void TestArchitectureEditor::showSpecChoosesThePresetOrAnEntryOfItsOwn() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    const int entries = child<QListWidget>("presetList")->count();
    QSignalSpy selected(m_panel.get(), &PresetPanel::presetSelected);

    lenet::ArchitectureSpec paper = lenet::preset("lenet5-1998");
    paper.training.epochs = 2;  // e.g. from a model file: its own training settings
    m_panel->showSpec(paper);
    QCOMPARE(selected.count(), 1);
    QCOMPARE(m_panel->currentName(), QStringLiteral("lenet5-1998"));
    QVERIFY(m_panel->isPreset());
    QVERIFY(!m_panel->isModified());
    QCOMPARE(m_panel->currentSpec().training.epochs, 2);
    QCOMPARE(child<QListWidget>("presetList")->count(), entries);

    paper.layers[0].maps = 4;
    m_panel->showSpec(paper);
    QCOMPARE(m_panel->currentName(), QStringLiteral("lenet5-1998"));
    QVERIFY(!m_panel->isPreset());
    QCOMPARE(child<QListWidget>("presetList")->count(), entries + 1);
    QVERIFY(child<QListWidget>("presetList")
                ->currentItem()
                ->toolTip()
                .contains(QStringLiteral("not a preset")));
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-1998")));
    QVERIFY(m_panel->isPreset());
    QCOMPARE(m_panel->currentSpec().layers[0].maps, 6);
}

void TestArchitectureEditor::keyboardShortcutsEditTheLayers() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-modern")));
    m_panel->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_panel.get()));
    auto* table = child<QTableView>("layerTable");
    table->setFocus();
    selectLayer(1);  // batchnorm
    QTest::keyClick(table, Qt::Key_Down, Qt::ControlModifier);
    QCOMPARE(layerType(2), QStringLiteral("batchnorm"));
    QTest::keyClick(table, Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(layerType(1), QStringLiteral("batchnorm"));
    // Delete in a name being typed edits the name, not the layer list.
    const QModelIndex name = layers()->index(1, LayerTableModel::Name);
    table->setCurrentIndex(name);
    table->edit(name);
    auto* line = table->viewport()->findChild<QLineEdit*>();
    QVERIFY(line);
    QTest::keyClicks(line, QStringLiteral("BN1"));
    QTest::keyClick(line, Qt::Key_Home);
    QTest::keyClick(line, Qt::Key_Delete);
    QCOMPARE(layers()->rowCount(), 13);
    QTest::keyClick(line, Qt::Key_Return);
    QTRY_COMPARE(layers()->index(1, LayerTableModel::Name).data().toString(), QStringLiteral("N1"));
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Delete);
    QCOMPARE(layers()->rowCount(), 12);
    QCOMPARE(layerFn(1), QStringLiteral("relu"));
    QVERIFY(m_panel->specIsValid());
}

void TestArchitectureEditor::closingWithAnEditorOpenIsSafe() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-1998")));
    auto* table = child<QTableView>("layerTable");
    const QModelIndex units = table->model()->index(0, LayerTableModel::Units);
    table->setCurrentIndex(units);
    table->edit(units);
    auto* spin = table->viewport()->findChild<QSpinBox*>();
    QVERIFY(spin);
    spin->setFocus();
    QTest::keyClicks(spin, QStringLiteral("9"));
    m_panel.reset();  // the editor commits while the panel goes away
    QVERIFY(!m_panel);
}

void TestArchitectureEditor::grabsThePanelInASidebar() {
    QVERIFY(m_panel->selectPreset(QStringLiteral("lenet5-1998")));
    QAbstractItemModel* model = layers();
    QVERIFY(model->setData(model->index(8, LayerTableModel::Kernel), 7));
    selectLayer(4);
    child<CollapsibleSection>("layerOptionsSection")->setExpanded(true);
    QCoreApplication::processEvents();  // the layout follows the problem label
    QVERIFY(m_panel->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

QTEST_MAIN(TestArchitectureEditor)
#include "test_architecture_editor.moc"
