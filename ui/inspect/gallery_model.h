// The rows of the test gallery: the images of a test set with their true and predicted class and
// the network's confidence, filtered (misclassified only, by true class, by predicted class) and
// sorted by confidence. A list model, so a QListView draws only the visible thumbnails. New
// predictions for the same images move the rows (a layout change) rather than resetting the
// model, so that a view keeps its scroll position and selection when the network is
// re-evaluated. The "My digits" view lists the user's digits with it too.
#pragma once

#include <memory>
#include <vector>

#include <QAbstractListModel>
#include <QByteArray>
#include <QImage>

#include "lenet/data/idx.h"
#include "ui/inspect/evaluation_model.h"

namespace lenet::ui {

class GalleryModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role {
        IndexRole = Qt::UserRole + 1,  // int: index in the test set
        TrueRole,                      // int
        PredictedRole,                 // int, -1 without predictions
        ConfidenceRole,                // float in [0, 1], -1 without predictions
        ThumbnailRole,                 // QImage: the digit, dark on white
        UnsureRole,                    // bool: the network finds it unlike a digit
    };

    /// Which images are listed; -1 means any class.
    struct Filter {
        bool misclassifiedOnly = false;
        int trueClass = -1;
        int predictedClass = -1;
        friend bool operator==(const Filter&, const Filter&) = default;
    };

    enum class Order { LeastConfidentFirst, MostConfidentFirst, TestSetOrder };

    explicit GalleryModel(QObject* parent = nullptr);

    /// The images and, when not null, the predictions on them (of the same set). With the same
    /// `data` as before only the rows move (layoutChanged, persistent indexes follow their
    /// image); with new data the model is reset.
    void setContents(std::shared_ptr<const lenet::Dataset> data,
                     std::shared_ptr<const lenet::Evaluation> predictions);
    void setFilter(const Filter& filter);
    const Filter& filter() const { return m_filter; }
    void setOrder(Order order);
    Order order() const { return m_order; }
    /// How tool tips name an image: "Test image" (the default) or e.g. "My digit".
    void setItemNoun(const QString& noun) { m_noun = noun; }

    bool hasPredictions() const { return m_predictions != nullptr; }
    /// The test-set index shown in `row`.
    int testIndex(int row) const { return m_rows[std::size_t(row)]; }
    /// Images in the set (before filtering).
    int totalCount() const { return m_data ? m_data->size() : 0; }
    /// The listed rows as CSV: index,true,predicted,confidence,unsure (one header line).
    QByteArray toCsv() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    /// The name of class `k` (Evaluation::classNames, the data's without predictions).
    QString className(int k) const;
    /// The rows the filter and the order give for the current contents.
    std::vector<int> computeRows() const;
    /// Resets the model to computeRows().
    void rebuildRows();
    /// Moves to computeRows() with a layout change: persistent indexes follow their image, or
    /// become invalid when it is no longer listed.
    void relayoutRows();

    std::shared_ptr<const lenet::Dataset> m_data;
    std::shared_ptr<const lenet::Evaluation> m_predictions;
    Filter m_filter;
    Order m_order = Order::LeastConfidentFirst;
    std::vector<int> m_rows;
    QString m_noun;
};

}  // namespace lenet::ui
