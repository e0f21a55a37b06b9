// MyDigitsView: an EvaluationModel over the store's set feeds a GalleryModel drawn by the test
// gallery's delegate; the status line, the folder line and the delete action around it.
#include "ui/inspect/my_digits_view.h"

#include <algorithm>

#include <vector>

#include <QAction>
#include <QDesktopServices>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include "ui/inspect/evaluation_model.h"
#include "ui/inspect/export.h"
#include "ui/inspect/gallery_model.h"
#include "ui/inspect/gallery_view.h"
#include "ui/inspect/my_digits_store.h"
#include "ui/inspect/selection_model.h"

namespace lenet::ui {

MyDigitsView::MyDigitsView(QWidget* parent)
    : QWidget(parent),
      m_evaluation(new EvaluationModel(this)),
      m_model(new GalleryModel(this)),
      m_list(new QListView(this)),
      m_status(new QLabel(this)),
      m_folder(new QLabel(this)),
      m_delete(new QPushButton(tr("Delete"), this)),
      m_openFolder(new QPushButton(tr("Open folder"), this)) {
    m_model->setOrder(GalleryModel::Order::TestSetOrder);
    m_model->setItemNoun(tr("My digit"));
    auto update = [this] {
        m_model->setContents(m_evaluation->testSet(), m_evaluation->predictions());
    };
    connect(m_evaluation, &EvaluationModel::testSetChanged, this, update);
    connect(m_evaluation, &EvaluationModel::predictionsChanged, this, update);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MyDigitsView::refresh);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &MyDigitsView::refresh);

    m_list->setModel(m_model);
    m_list->setItemDelegate(new GalleryDelegate(m_list));
    m_list->setViewMode(QListView::IconMode);
    m_list->setMovement(QListView::Static);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setUniformItemSizes(true);
    m_list->setSpacing(2);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setToolTip(
        tr("Your digits with their label and the network's answer (red when wrong); click one "
           "to see it in the feature-map and output views"));
    connect(m_list, &QListView::clicked, this, &MyDigitsView::selectRow);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) selectRow(current);
            });
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MyDigitsView::refresh);

    auto* deleteAction = new QAction(tr("Delete"), this);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(deleteAction);
    auto deleteAndReport = [this] {
        const QString error = deleteSelected();
        if (!error.isEmpty()) QMessageBox::warning(this, tr("Delete my digits"), error);
    };
    connect(deleteAction, &QAction::triggered, this, deleteAndReport);
    m_delete->setObjectName(QStringLiteral("deleteDigits"));
    m_delete->setToolTip(tr("Delete the selected digits from the set and from the disk (%1)")
                             .arg(deleteAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_delete, &QPushButton::clicked, this, deleteAndReport);

    m_openFolder->setObjectName(QStringLiteral("openFolder"));
    m_openFolder->setToolTip(tr("Show the folder of the IDX files in the file manager"));
    connect(m_openFolder, &QPushButton::clicked, this, &MyDigitsView::openFolder);
    m_folder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_folder->setWordWrap(true);
    m_folder->setToolTip(
        tr("The digits are an IDX pair named like MNIST's training files: `lenet train --data "
           "FOLDER` or File > Open data set read them"));

    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("my-digits"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }},
                          {tr("Digits and predictions (CSV)…"), QStringLiteral("csv"),
                           [this](const QString& path) { return exportCsv(path); }}});

    m_status->setWordWrap(true);  // an error names a file and what happens to it
    auto* top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_delete);
    top->addWidget(exportButton);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_folder, 1);
    bottom->addWidget(m_openFolder);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_list, 1);
    layout->addLayout(bottom);
    refresh();
}

void MyDigitsView::setStore(MyDigitsStore* store) {
    if (m_store) disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    auto update = [this] {
        m_evaluation->setTestSet(m_store ? m_store->dataset() : nullptr);
        refresh();
    };
    if (store) connect(store, &MyDigitsStore::changed, this, update);
    update();
}

void MyDigitsView::setNetwork(NetworkSnapshot net) {
    m_evaluation->setNetwork(std::move(net));
}

void MyDigitsView::setSelectionModel(SelectionModel* selection) {
    m_selection = selection;
}

QString MyDigitsView::statusText() const {
    return m_status->text();
}

void MyDigitsView::refresh() {
    QString error = m_store ? m_store->loadError() : QString();
    if (error.isEmpty()) error = m_evaluation->errorText();
    m_status->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("color: #c0392b"));
    const int n = m_model->totalCount();
    QString text = error;
    if (error.isEmpty() && !m_store) {
        text = tr("No digit set.");
    } else if (error.isEmpty() && n == 0) {
        text = tr("No digits yet: draw one in the Draw view and press Add to my digits.");
    } else if (error.isEmpty()) {
        text = n == 1 ? tr("1 digit") : tr("%1 digits").arg(QLocale().toString(n));
        if (!m_store->keptAside().isEmpty())
            text += tr(" · the earlier, unreadable set is kept in %1").arg(m_store->keptAside());
        const std::shared_ptr<const lenet::Evaluation>& p = m_evaluation->predictions();
        if (m_evaluation->isBusy())
            text += tr(" · classifying…");
        else if (!p || p->count != n)
            text += tr(" · no network to classify them");
        else {
            text += tr(" · the network gets %1 of %2 right (%3%)")
                        .arg(n - p->errors)
                        .arg(n)
                        .arg(100.0 * (1.0 - p->error()), 0, 'f', 1);
            const auto unsure = std::count(p->unsure.begin(), p->unsure.end(), std::uint8_t(1));
            if (unsure > 0) text += tr(" · unsure about %1").arg(unsure);
        }
    }
    m_status->setText(text);
    m_folder->setText(m_store ? tr("Saved in %1").arg(QDir::toNativeSeparators(m_store->folder()))
                              : QString());
    m_openFolder->setEnabled(m_store != nullptr);
    m_delete->setEnabled(m_store && m_list->selectionModel()->hasSelection());
}

void MyDigitsView::selectRow(const QModelIndex& index) {
    if (!m_selection || !m_evaluation->testSet()) return;
    const lenet::Dataset& data = *m_evaluation->testSet();
    const int i = index.data(GalleryModel::IndexRole).toInt();
    const int label = data.labels[std::size_t(i)];
    const int predicted = index.data(GalleryModel::PredictedRole).toInt();
    const QString description =
        predicted >= 0 ? tr("my digit %1 (a %2, predicted %3)").arg(i).arg(label).arg(predicted)
                       : tr("my digit %1 (a %2)").arg(i).arg(label);
    // A click on a new digit also makes it current: select it once.
    if (m_selection->current().description == description) return;
    m_selection->select(
        {lenet::toInk(data.image(i), data.rows, data.cols), label, -1, description});
}

QString MyDigitsView::deleteSelected() {
    if (!m_store) return {};
    std::vector<int> indices;
    for (const QModelIndex& index : m_list->selectionModel()->selectedIndexes())
        indices.push_back(index.data(GalleryModel::IndexRole).toInt());
    return m_store->remove(std::move(indices));
}

void MyDigitsView::openFolder() {
    if (!m_store) return;
    if (!QDir(m_store->folder()).exists()) {
        QMessageBox::information(
            this, tr("Open folder"),
            tr("%1 does not exist yet: it is created when the first digit is added.")
                .arg(m_store->folder()));
        return;
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(m_store->folder())))
        QMessageBox::warning(this, tr("Open folder"),
                             tr("No file manager could open %1").arg(m_store->folder()));
}

QImage MyDigitsView::renderImage() {
    return m_list->viewport()->grab().toImage();
}

QString MyDigitsView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

QString MyDigitsView::exportCsv(const QString& path) {
    return saveBytes(m_model->toCsv(), path);
}

}  // namespace lenet::ui
