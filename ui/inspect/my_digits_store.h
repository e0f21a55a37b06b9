// The user's own digits ("my digits"): drawings saved with a label as an IDX pair in a folder,
// named like MNIST's training files (mydigits-train-images-idx3-ubyte and
// mydigits-train-labels-idx1-ubyte) so that lenet::loadSplit(folder, Split::Train) and
// `lenet train --data folder` read them. Each image is the drawing after MNIST-style
// preprocessing (lenet::mnistStyle: 28x28, centred, before any padding), stored as bytes like
// MNIST's. The drawing panel adds to it, the "My digits" view lists, evaluates and deletes, and
// the training form can add the set to a run's training data.
#pragma once

#include <memory>
#include <vector>

#include <QObject>
#include <QString>

#include "lenet/data/idx.h"
#include "lenet/data/preprocess.h"

namespace lenet::ui {

class MyDigitsStore : public QObject {
    Q_OBJECT

public:
    /// Side of the stored images (MNIST's 28).
    static constexpr int kSide = 28;

    /// A store kept in `folder` (created when the first digit is saved); call load() to read
    /// what is there.
    explicit MyDigitsStore(const QString& folder, QObject* parent = nullptr);

    /// QStandardPaths::AppDataLocation + "/my-digits" (e.g. ~/.local/share/<org>/<app>/my-digits).
    static QString defaultFolder();

    const QString& folder() const { return m_folder; }
    QString imagesPath() const;
    QString labelsPath() const;

    /// Reads the folder's digits (none when the files do not exist yet). Returns an error
    /// message naming the file, empty on success; on error the store is empty and loadError()
    /// keeps the message until the next successful load or save. Emits changed().
    QString load();
    const QString& loadError() const { return m_loadError; }
    /// The folder that holds the unreadable set moved aside by the last add(), empty when none
    /// was moved since the last load().
    const QString& keptAside() const { return m_keptAside; }

    /// The digits (kSide x kSide, 10 classes), null when there are none. Each change replaces
    /// the set, so a pointer taken earlier stays valid and unchanged.
    const std::shared_ptr<const lenet::Dataset>& dataset() const { return m_data; }
    int count() const { return m_data ? m_data->size() : 0; }

    /// Appends `image` (a kSide x kSide MNIST-style image, ink in [0, 1]) with `label` (0-9)
    /// and saves the set. When the folder's set could not be loaded, its files are first moved
    /// into a dated folder beside them (keptAside()), so nothing the user made is overwritten.
    /// Returns an error message, empty on success; on error nothing changes.
    QString add(const lenet::InkImage& image, int label);
    /// Removes the digits at `indices` (into dataset()) and saves the set; the files are
    /// removed when no digit is left. Returns an error message, empty on success.
    QString remove(std::vector<int> indices);

Q_SIGNALS:
    /// The set was loaded or changed.
    void changed();

private:
    /// Writes `data` (removes the files when it is empty) and makes it the set on success.
    QString save(std::shared_ptr<const lenet::Dataset> data);
    /// Moves the files of the set that load() could not read into a new folder
    /// "unreadable-<date>-<time>" inside folder() and sets keptAside(). Returns an error message,
    /// empty on success.
    QString moveUnreadableAside();

    QString m_folder;
    std::shared_ptr<const lenet::Dataset> m_data;
    QString m_loadError;
    QString m_keptAside;
};

}  // namespace lenet::ui
