// GalleryView: filter controls, the list view with its thumbnail delegate, and the selection.
#include "ui/inspect/gallery_view.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/inspect/evaluation_model.h"
#include "ui/inspect/export.h"
#include "ui/inspect/gallery_model.h"
#include "ui/inspect/selection_model.h"

namespace lenet::ui {
namespace {

constexpr int kThumb = 56;  // 28x28 drawn twice as large

}  // namespace

QSize GalleryDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const {
    QFont bold = option.font;
    bold.setBold(true);
    const int text = QFontMetrics(bold).horizontalAdvance(QStringLiteral("8→8 100%"));
    return {std::max(kThumb, text) + 8, kThumb + 6 + option.fontMetrics.height()};
}

void GalleryDelegate::paint(QPainter* p, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
    const QRect r = option.rect;
    if (option.state & QStyle::State_Selected) {
        p->fillRect(r, option.palette.color(QPalette::Highlight));
    }
    const QImage thumb = index.data(GalleryModel::ThumbnailRole).value<QImage>();
    const QRect image(r.left() + (r.width() - kThumb) / 2, r.top() + 3, kThumb, kThumb);
    p->drawImage(image, thumb);
    const int label = index.data(GalleryModel::TrueRole).toInt();
    const int predicted = index.data(GalleryModel::PredictedRole).toInt();
    const float confidence = index.data(GalleryModel::ConfidenceRole).toFloat();
    const bool wrong = predicted >= 0 && predicted != label;
    QString text = index.data(Qt::DisplayRole).toString();
    if (confidence >= 0.0f) text += QStringLiteral(" %1%").arg(int(confidence * 100.0f + 0.5f));
    QFont f = option.font;
    f.setBold(wrong);
    p->setFont(f);
    // A selected tile takes the highlight's text colour (red would not read on it); a wrong
    // answer stays bold.
    const bool selected = option.state & QStyle::State_Selected;
    p->setPen(selected ? option.palette.color(QPalette::HighlightedText)
              : wrong  ? QColor(200, 30, 30)
                       : option.palette.color(QPalette::Text));
    p->drawText(QRect(r.left(), image.bottom() + 2, r.width(), option.fontMetrics.height()),
                Qt::AlignCenter, text);
}

GalleryView::GalleryView(QWidget* parent)
    : QWidget(parent),
      m_model(new GalleryModel(this)),
      m_list(new QListView(this)),
      m_misclassified(new QCheckBox(tr("Misclassified only"), this)),
      m_trueClass(new QComboBox(this)),
      m_predicted(new QComboBox(this)),
      m_order(new QComboBox(this)),
      m_status(new QLabel(this)) {
    m_misclassified->setObjectName(QStringLiteral("misclassifiedOnly"));
    m_misclassified->setToolTip(tr("List only the images the network gets wrong"));
    m_trueClass->setObjectName(QStringLiteral("trueClass"));
    m_trueClass->setToolTip(tr("List only images of this true class"));
    m_predicted->setObjectName(QStringLiteral("predictedClass"));
    m_predicted->setToolTip(tr("List only images the network assigns to this class"));
    m_trueClass->addItem(tr("true: any"), -1);
    m_predicted->addItem(tr("predicted: any"), -1);
    for (int k = 0; k < 10; ++k) {
        m_trueClass->addItem(tr("true: %1").arg(k), k);
        m_predicted->addItem(tr("predicted: %1").arg(k), k);
    }
    m_order->setObjectName(QStringLiteral("order"));
    m_order->setToolTip(tr("Order of the images"));
    m_order->addItem(tr("least confident first"), int(GalleryModel::Order::LeastConfidentFirst));
    m_order->addItem(tr("most confident first"), int(GalleryModel::Order::MostConfidentFirst));
    m_order->addItem(tr("test-set order"), int(GalleryModel::Order::TestSetOrder));
    connect(m_misclassified, &QCheckBox::toggled, this, &GalleryView::applyFilter);
    connect(m_trueClass, &QComboBox::currentIndexChanged, this, &GalleryView::applyFilter);
    connect(m_predicted, &QComboBox::currentIndexChanged, this, &GalleryView::applyFilter);
    connect(m_order, &QComboBox::currentIndexChanged, this,
            [this] { m_model->setOrder(GalleryModel::Order(m_order->currentData().toInt())); });
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("test-gallery"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }},
                          {tr("Listed images (CSV)…"), QStringLiteral("csv"),
                           [this](const QString& path) { return exportCsv(path); }}});

    m_list->setModel(m_model);
    m_list->setItemDelegate(new GalleryDelegate(m_list));
    m_list->setViewMode(QListView::IconMode);
    m_list->setMovement(QListView::Static);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setUniformItemSizes(true);
    // One pass (the default): with uniform sizes laying out 10,000 cells is quick, and a batched
    // layout would clamp the scroll position to its first batch whenever new predictions move
    // the rows.
    m_list->setLayoutMode(QListView::SinglePass);
    m_list->setSpacing(2);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setToolTip(tr("Click an image to see it in the feature-map and output views"));
    connect(m_list, &QListView::clicked, this, &GalleryView::selectRow);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) selectRow(current);
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, &GalleryView::refresh);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &GalleryView::refresh);

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_misclassified);
    filters->addWidget(m_trueClass);
    filters->addWidget(m_predicted);
    filters->addWidget(m_order);
    filters->addStretch(1);
    filters->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_status);
    layout->addWidget(m_list, 1);
    refresh();
}

void GalleryView::setEvaluationModel(EvaluationModel* results) {
    if (m_results) disconnect(m_results, nullptr, this, nullptr);
    m_results = results;
    auto update = [this] {
        m_model->setContents(m_results ? m_results->testSet() : nullptr,
                             m_results ? m_results->predictions() : nullptr);
    };
    if (results) {
        connect(results, &EvaluationModel::testSetChanged, this, update);
        connect(results, &EvaluationModel::predictionsChanged, this, update);
    }
    update();
}

void GalleryView::setSelectionModel(SelectionModel* selection) {
    m_selection = selection;
}

void GalleryView::showCell(int trueClass, int predictedClass) {
    const QSignalBlocker b1(m_misclassified), b2(m_trueClass), b3(m_predicted);
    m_misclassified->setChecked(false);
    m_trueClass->setCurrentIndex(m_trueClass->findData(trueClass));
    m_predicted->setCurrentIndex(m_predicted->findData(predictedClass));
    applyFilter();
}

void GalleryView::applyFilter() {
    GalleryModel::Filter f;
    f.misclassifiedOnly = m_misclassified->isChecked();
    f.trueClass = m_trueClass->currentData().toInt();
    f.predictedClass = m_predicted->currentData().toInt();
    m_model->setFilter(f);
}

void GalleryView::refresh() {
    const QLocale locale;
    const bool busy = m_results && m_results->isBusy();
    const bool predicted = m_model->hasPredictions();
    m_predicted->setEnabled(predicted);
    m_misclassified->setEnabled(predicted);
    m_order->setEnabled(predicted);
    QString text;
    if (m_results && !m_results->errorText().isEmpty()) {
        text = m_results->errorText();
        m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
    } else {
        m_status->setStyleSheet({});
        if (m_model->totalCount() == 0) {
            text = tr("No test set loaded (File > Fetch MNIST downloads MNIST).");
        } else {
            text = tr("%1 of %2 test images")
                       .arg(locale.toString(m_model->rowCount()),
                            locale.toString(m_model->totalCount()));
            if (busy)
                text += tr(" · classifying…");
            else if (!predicted)
                text += tr(" · no network to classify them");
        }
    }
    m_status->setText(text);
}

void GalleryView::selectRow(const QModelIndex& index) {
    if (!m_selection || !m_results || !m_results->testSet()) return;
    const int i = index.data(GalleryModel::IndexRole).toInt();
    // A click on a new image also makes it current: select it once.
    if (m_selection->current().testIndex == i) return;
    const lenet::Dataset& data = *m_results->testSet();
    const int label = data.labels[std::size_t(i)];
    const int predicted = index.data(GalleryModel::PredictedRole).toInt();
    const QString description =
        predicted >= 0 ? tr("test image %1 (a %2, predicted %3)").arg(i).arg(label).arg(predicted)
                       : tr("test image %1 (a %2)").arg(i).arg(label);
    m_selection->select({lenet::toInk(data.image(i), data.rows, data.cols), label, i, description});
}

QString GalleryView::statusText() const {
    return m_status->text();
}

QImage GalleryView::renderImage() {
    return m_list->viewport()->grab().toImage();
}

QString GalleryView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

QString GalleryView::exportCsv(const QString& path) {
    return saveBytes(m_model->toCsv(), path);
}

}  // namespace lenet::ui
