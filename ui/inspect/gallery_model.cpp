// GalleryModel: the filtered, sorted list of test-set indices and the data of each row.
#include "ui/inspect/gallery_model.h"

#include <algorithm>

#include "ui/inspect/map_images.h"

namespace lenet::ui {

GalleryModel::GalleryModel(QObject* parent)
    : QAbstractListModel(parent), m_noun(tr("Test image")) {}

void GalleryModel::setContents(std::shared_ptr<const lenet::Dataset> data,
                               std::shared_ptr<const lenet::Evaluation> predictions) {
    const bool sameImages = data && data == m_data;
    m_data = std::move(data);
    m_predictions = predictions && m_data && predictions->count == m_data->size()
                        ? std::move(predictions)
                        : nullptr;
    if (sameImages)
        relayoutRows();
    else
        rebuildRows();
}

void GalleryModel::setFilter(const Filter& filter) {
    if (filter == m_filter) return;
    m_filter = filter;
    rebuildRows();
}

void GalleryModel::setOrder(Order order) {
    if (order == m_order) return;
    m_order = order;
    rebuildRows();
}

std::vector<int> GalleryModel::computeRows() const {
    std::vector<int> rows;
    const int n = totalCount();
    const lenet::Evaluation* p = m_predictions.get();
    for (int i = 0; i < n; ++i) {
        const int label = m_data->labels[std::size_t(i)];
        if (m_filter.trueClass >= 0 && label != m_filter.trueClass) continue;
        if (p) {
            const int predicted = p->predictions[std::size_t(i)];
            if (m_filter.predictedClass >= 0 && predicted != m_filter.predictedClass) continue;
            if (m_filter.misclassifiedOnly && predicted == label) continue;
        } else if (m_filter.predictedClass >= 0 || m_filter.misclassifiedOnly) {
            continue;  // nothing is known about predictions yet
        }
        rows.push_back(i);
    }
    if (p && m_order != Order::TestSetOrder) {
        const bool ascending = m_order == Order::LeastConfidentFirst;
        std::stable_sort(rows.begin(), rows.end(), [p, ascending](int a, int b) {
            const float ca = p->confidence[std::size_t(a)], cb = p->confidence[std::size_t(b)];
            return ascending ? ca < cb : ca > cb;
        });
    }
    return rows;
}

void GalleryModel::rebuildRows() {
    beginResetModel();
    m_rows = computeRows();
    endResetModel();
}

void GalleryModel::relayoutRows() {
    Q_EMIT layoutAboutToBeChanged();
    const QModelIndexList before = persistentIndexList();
    std::vector<int> images;
    images.reserve(std::size_t(before.size()));
    for (const QModelIndex& index : before) images.push_back(m_rows[std::size_t(index.row())]);
    m_rows = computeRows();
    std::vector<int> rowOf(std::size_t(totalCount()), -1);
    for (std::size_t r = 0; r < m_rows.size(); ++r) rowOf[std::size_t(m_rows[r])] = int(r);
    QModelIndexList after;
    after.reserve(before.size());
    for (int image : images) {
        const int row = rowOf[std::size_t(image)];
        after.push_back(row >= 0 ? index(row) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged();
}

int GalleryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant GalleryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(m_rows.size())) return {};
    const int i = m_rows[std::size_t(index.row())];
    const int label = m_data->labels[std::size_t(i)];
    const int predicted = m_predictions ? m_predictions->predictions[std::size_t(i)] : -1;
    const float confidence = m_predictions ? m_predictions->confidence[std::size_t(i)] : -1.0f;
    const bool unsure = m_predictions && m_predictions->unsure[std::size_t(i)];
    switch (role) {
        case IndexRole: return i;
        case TrueRole: return label;
        case PredictedRole: return predicted;
        case ConfidenceRole: return confidence;
        case UnsureRole: return unsure;
        case ThumbnailRole: return pixelsToImage(m_data->image(i), m_data->rows, m_data->cols);
        case Qt::DisplayRole:
            return (predicted < 0 || predicted == label
                        ? className(label)
                        : QStringLiteral("%1→%2").arg(className(label), className(predicted))) +
                   (unsure ? QStringLiteral(" ?") : QString());
        case Qt::ToolTipRole:
            if (predicted < 0) return tr("%1 %2: a %3").arg(m_noun).arg(i).arg(className(label));
            return tr("%1 %2: true %3, predicted %4 (probability %5%)%6")
                .arg(m_noun)
                .arg(i)
                .arg(className(label), className(predicted))
                .arg(double(confidence) * 100.0, 0, 'f', 1)
                .arg(unsure ? tr("; unsure — does not look like a digit") : QString());
        default: return {};
    }
}

QString GalleryModel::className(int k) const {
    const std::vector<std::string>& names =
        m_predictions ? m_predictions->classNames : m_data->classNames;
    return QString::fromStdString(lenet::className(names, k));
}

QByteArray GalleryModel::toCsv() const {
    QByteArray csv = "index,true,predicted,confidence,unsure\n";
    for (int i : m_rows) {
        csv +=
            QByteArray::number(i) + ',' + QByteArray::number(m_data->labels[std::size_t(i)]) + ',';
        if (m_predictions) {
            csv += QByteArray::number(m_predictions->predictions[std::size_t(i)]) + ',' +
                   QByteArray::number(double(m_predictions->confidence[std::size_t(i)]), 'f', 6) +
                   ',' + QByteArray::number(int(m_predictions->unsure[std::size_t(i)]));
        } else {
            csv += ",,";
        }
        csv += '\n';
    }
    return csv;
}

}  // namespace lenet::ui
