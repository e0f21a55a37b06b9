// ArchitectureEditor: the table, its row buttons, the head and input settings and the selected
// layer's options over one LayerTableModel.
#include "ui/architecture/architecture_editor.h"

#include <algorithm>
#include <iterator>

#include <QAction>
#include <QComboBox>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "lenet/error.h"
#include "lenet/kinds.h"
#include "lenet/variant.h"
#include "ui/architecture/layer_item_delegate.h"
#include "ui/architecture/layer_kinds.h"
#include "ui/architecture/layer_options_form.h"
#include "ui/architecture/layer_table_model.h"
#include "ui/collapsible_section.h"

namespace lenet::ui {
namespace {

/// The head combo box's entries: the output layer and the loss that goes with it.
struct Head {
    const char* key;
    lenet::LossKind loss;
    const char* label;
    const char* toolTip;
};
constexpr Head kHeads[] = {
    {"softmax", lenet::LossKind::CrossEntropy,
     QT_TRANSLATE_NOOP("lenet::ui::ArchitectureEditor", "Softmax, cross-entropy"),
     QT_TRANSLATE_NOOP("lenet::ui::ArchitectureEditor",
                       "An fc output layer, one unit per class, trained with softmax "
                       "cross-entropy")},
    {"map", lenet::LossKind::Map,
     QT_TRANSLATE_NOOP("lenet::ui::ArchitectureEditor", "RBF, MAP loss"),
     QT_TRANSLATE_NOOP("lenet::ui::ArchitectureEditor",
                       "LeCun 1998: F6 (84 units) and RBF centres, the MAP criterion (eq. 9)")},
    {"penalty", lenet::LossKind::Penalty,
     QT_TRANSLATE_NOOP("lenet::ui::ArchitectureEditor", "RBF, plain penalty"),
     QT_TRANSLATE_NOOP("lenet::ui::ArchitectureEditor",
                       "F6 (84 units) and RBF centres, the correct class's penalty alone (eq. 8)")},
};

int headIndex(lenet::LossKind loss) {
    for (int i = 0; i < int(std::size(kHeads)); ++i) {
        if (kHeads[i].loss == loss) return i;
    }
    return 0;
}

}  // namespace

ArchitectureEditor::ArchitectureEditor(QWidget* parent)
    : QWidget(parent),
      m_model(new LayerTableModel(this)),
      m_table(new QTableView),
      m_options(new LayerOptionsForm),
      m_optionsSection(new CollapsibleSection(
          tr("Layer"), tr("The selected layer's settings that the table has no column for"))),
      m_head(new QComboBox),
      m_inputSize(new QSpinBox),
      m_problem(new QLabel) {
    m_table->setObjectName(QStringLiteral("layerTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegate(new LayerItemDelegate(m_table));
    m_table->setToolTip(
        tr("The layers; double-click a name, kind, unit count or kernel to "
           "change it"));
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                             QAbstractItemView::EditKeyPressed);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(LayerTableModel::Kind, QHeaderView::Stretch);
    m_table->horizontalHeader()->setHighlightSections(false);
    // One point smaller than the sidebar's text: every column fits in a ~320 px sidebar.
    QFont tableFont = m_table->font();
    tableFont.setPointSizeF(std::max(7.0, tableFont.pointSizeF() - 1.0));
    m_table->setFont(tableFont);
    m_table->horizontalHeader()->setFont(tableFont);

    QToolButton* insert = makeInsertButton();
    m_remove = makeButton("removeLayer", tr("Remove"), tr("Remove the selected layer"),
                          QKeySequence(Qt::Key_Delete));
    m_up = makeButton("moveLayerUp", tr("Up"), tr("Move the selected layer up"),
                      QKeySequence(Qt::CTRL | Qt::Key_Up));
    m_down = makeButton("moveLayerDown", tr("Down"), tr("Move the selected layer down"),
                        QKeySequence(Qt::CTRL | Qt::Key_Down));
    m_up->defaultAction()->setIcon(style()->standardIcon(QStyle::SP_ArrowUp));
    m_down->defaultAction()->setIcon(style()->standardIcon(QStyle::SP_ArrowDown));
    m_up->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_down->setToolButtonStyle(Qt::ToolButtonIconOnly);
    connect(m_remove->defaultAction(), &QAction::triggered, this, [this] { removeLayer(); });
    connect(m_up->defaultAction(), &QAction::triggered, this, [this] { moveLayer(-1); });
    connect(m_down->defaultAction(), &QAction::triggered, this, [this] { moveLayer(+1); });

    m_head->setObjectName(QStringLiteral("head"));
    m_head->setToolTip(tr("The output layer and the loss it is trained with"));
    for (const Head& head : kHeads) {
        m_head->addItem(tr(head.label), QString::fromLatin1(head.key));
        m_head->setItemData(m_head->count() - 1, tr(head.toolTip), Qt::ToolTipRole);
    }
    m_inputSize->setObjectName(QStringLiteral("inputSize"));
    m_inputSize->setRange(8, 64);
    m_inputSize->setSuffix(tr(" px"));
    m_inputSize->setKeyboardTracking(false);
    m_inputSize->setToolTip(
        tr("Height and width of the input: MNIST's 28x28 digits are padded "
           "(LeNet-5: 32) or cropped to it"));

    m_options->setObjectName(QStringLiteral("layerOptions"));
    m_optionsSection->setObjectName(QStringLiteral("layerOptionsSection"));
    auto* optionsLayout = new QVBoxLayout;
    optionsLayout->setContentsMargins(0, 0, 0, 0);
    optionsLayout->addWidget(m_options);
    m_optionsSection->setContentLayout(optionsLayout);

    m_problem->setObjectName(QStringLiteral("specProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problem->setToolTip(tr("Train stays disabled until the architecture fits together"));

    auto* rowButtons = new QHBoxLayout;
    rowButtons->setSpacing(2);
    rowButtons->addWidget(insert);
    rowButtons->addWidget(m_remove);
    rowButtons->addWidget(m_up);
    rowButtons->addWidget(m_down);
    rowButtons->addStretch(1);

    auto* settings = new QHBoxLayout;
    settings->addWidget(new QLabel(tr("Input")));
    settings->addWidget(m_inputSize);
    settings->addSpacing(8);
    settings->addWidget(new QLabel(tr("Head")));
    settings->addWidget(m_head, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_problem);
    layout->addLayout(rowButtons);
    layout->addLayout(settings);
    layout->addWidget(m_optionsSection);

    connect(m_model, &LayerTableModel::edited, this, [this] {
        updateSpans();
        refresh();
        Q_EMIT edited();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ArchitectureEditor::refresh);
    connect(m_options, &LayerOptionsForm::layerEdited, this,
            [this](const lenet::LayerSpec& layer) { m_model->setLayer(currentRow(), layer); });
    connect(m_head, &QComboBox::activated, this, &ArchitectureEditor::setHead);
    connect(m_inputSize, &QSpinBox::valueChanged, this, &ArchitectureEditor::setInputSize);
    refresh();
}

QToolButton* ArchitectureEditor::makeInsertButton() {
    auto* insert = new QToolButton;
    insert->setObjectName(QStringLiteral("insertLayer"));
    insert->setText(tr("Insert"));
    insert->setToolTip(tr("Insert a layer after the selected one (Ins)"));
    insert->setPopupMode(QToolButton::InstantPopup);
    insert->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto* menu = new QMenu(insert);
    for (const std::string& type : layerTypes()) {
        menu->addAction(QString::fromStdString(type), this, [this, type] { insertLayer(type); })
            ->setToolTip(describeKind(type));
    }
    QMenu* activations = menu->addMenu(tr("activation"));
    for (const std::string& fn : lenet::kindKeys(lenet::activationKinds())) {
        activations->addAction(QString::fromStdString(fn), this, [this, fn] { insertLayer(fn); })
            ->setToolTip(describeKind(fn));
    }
    menu->setToolTipsVisible(true);
    activations->setToolTipsVisible(true);
    insert->setMenu(menu);
    auto* insertAction = new QAction(this);
    insertAction->setShortcut(QKeySequence(Qt::Key_Insert));
    insertAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(insertAction, &QAction::triggered, insert, &QToolButton::showMenu);
    m_table->addAction(insertAction);
    return insert;
}

QToolButton* ArchitectureEditor::makeButton(const char* objectName, const QString& text,
                                            const QString& toolTip, const QKeySequence& shortcut) {
    auto* action = new QAction(text, this);
    action->setToolTip(
        QStringLiteral("%1 (%2)").arg(toolTip, shortcut.toString(QKeySequence::NativeText)));
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_table->addAction(action);
    auto* button = new QToolButton;
    button->setObjectName(QString::fromLatin1(objectName));
    button->setDefaultAction(action);
    return button;
}

void ArchitectureEditor::setSpec(const lenet::ArchitectureSpec& spec) {
    const int row = currentRow();
    m_model->setSpec(spec);
    updateSpans();
    selectRow(std::min(std::max(row, 0), m_model->rowCount() - 1));
    refresh();
}

const lenet::ArchitectureSpec& ArchitectureEditor::spec() const {
    return m_model->spec();
}

bool ArchitectureEditor::isValid() const {
    return m_model->check().fits();
}

QString ArchitectureEditor::problem() const {
    return QString::fromStdString(m_model->check().problem);
}

int ArchitectureEditor::parameterCount() const {
    return m_model->totalParameters();
}

int ArchitectureEditor::currentRow() const {
    return m_table->currentIndex().row();
}

void ArchitectureEditor::selectRow(int row) {
    if (row < 0 || row >= m_model->rowCount()) return;
    m_table->setCurrentIndex(m_model->index(row, LayerTableModel::Kind));
}

void ArchitectureEditor::insertLayer(const std::string& kind) {
    const int row = currentRow();
    const auto& fitting = m_model->check().layers;
    const int channels =
        row >= 0 && row < int(fitting.size()) ? fitting[std::size_t(row)].output.c : 0;
    const int at = row < 0 ? m_model->rowCount() : row + 1;
    m_model->insertLayer(at, newLayer(kind, channels));
    selectRow(at);
}

void ArchitectureEditor::removeLayer() {
    const int row = currentRow();
    if (row < 0) return;
    m_model->removeLayer(row);
    selectRow(std::min(row, m_model->rowCount() - 1));
}

void ArchitectureEditor::moveLayer(int delta) {
    const int row = currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_model->rowCount()) return;
    m_model->moveLayer(row, to);
    selectRow(to);
}

void ArchitectureEditor::setHead(int index) {
    lenet::VariantOptions options;
    options.head = kHeads[index].loss == lenet::LossKind::CrossEntropy ? "softmax" : "rbf";
    try {
        lenet::ArchitectureSpec spec = lenet::applyVariant(m_model->spec(), options);
        spec.loss = kHeads[index].loss;
        m_model->editSpec(spec);
    } catch (const lenet::ConfigError& e) {
        // No fc or rbf output layer to replace: the spec stays as it is.
        {
            const QSignalBlocker blocker(m_head);
            m_head->setCurrentIndex(headIndex(m_model->spec().loss));
        }
        QMessageBox::warning(this, tr("Output head"), QString::fromStdString(e.what()));
    }
}

void ArchitectureEditor::setInputSize(int size) {
    lenet::ArchitectureSpec spec = m_model->spec();
    if (spec.input.h == size && spec.input.w == size) return;
    spec.input.h = size;
    spec.input.w = size;
    m_model->editSpec(spec);
}

void ArchitectureEditor::updateSpans() {
    m_table->clearSpans();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const lenet::LayerSpec& layer = m_model->spec().layers[std::size_t(row)];
        if (!hasUnits(layer) && !hasKernel(layer)) {
            m_table->setSpan(row, LayerTableModel::Kind, 1,
                             LayerTableModel::Kernel - LayerTableModel::Kind + 1);
        }
    }
}

void ArchitectureEditor::refresh() {
    const lenet::ArchitectureSpec& spec = m_model->spec();
    {
        const QSignalBlocker headBlocker(m_head);
        const QSignalBlocker inputBlocker(m_inputSize);
        m_head->setCurrentIndex(headIndex(spec.loss));
        m_inputSize->setValue(spec.input.h);
    }
    const SpecCheck& check = m_model->check();
    m_problem->setText(QString::fromStdString(check.problem));
    m_problem->setVisible(!check.fits());

    const int row = currentRow();
    const int rows = m_model->rowCount();
    m_remove->setEnabled(row >= 0 && rows > 1);
    m_up->setEnabled(row > 0);
    m_down->setEnabled(row >= 0 && row + 1 < rows);
    m_optionsSection->setVisible(row >= 0);
    if (row < 0) return;
    const lenet::LayerSpec& layer = spec.layers[std::size_t(row)];
    const QString name = m_model->index(row, LayerTableModel::Name).data().toString();
    const QString kind = QString::fromStdString(kindOf(layer));
    m_optionsSection->setTitle(name.isEmpty()
                                   ? tr("Layer %1 (%2)").arg(row + 1).arg(kind)
                                   : tr("Layer %1: %2 (%3)").arg(row + 1).arg(name, kind));
    m_options->showLayer(layer);
}

}  // namespace lenet::ui
