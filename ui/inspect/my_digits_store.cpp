// MyDigitsStore: the IDX pair on disk and the in-memory set, replaced as a whole on each change.
#include "ui/inspect/my_digits_store.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include "lenet/data/idx_writer.h"

namespace lenet::ui {
namespace {

constexpr int kClasses = 10;

std::string toStd(const QString& path) {
    return QFile::encodeName(path).toStdString();
}

/// An empty set of kSide x kSide digits named after `source`.
lenet::Dataset emptySet(const QString& source) {
    lenet::Dataset d;
    d.rows = d.cols = MyDigitsStore::kSide;
    d.classes = kClasses;
    d.source = toStd(source);
    return d;
}

}  // namespace

MyDigitsStore::MyDigitsStore(const QString& folder, QObject* parent)
    : QObject(parent), m_folder(QDir::cleanPath(folder)) {}

QString MyDigitsStore::defaultFolder() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/my-digits");
}

QString MyDigitsStore::imagesPath() const {
    return QDir(m_folder).filePath(QStringLiteral("mydigits-train-images-idx3-ubyte"));
}

QString MyDigitsStore::labelsPath() const {
    return QDir(m_folder).filePath(QStringLiteral("mydigits-train-labels-idx1-ubyte"));
}

QString MyDigitsStore::load() {
    m_data.reset();
    m_loadError.clear();
    m_keptAside.clear();
    const bool hasImages = QFile::exists(imagesPath());
    const bool hasLabels = QFile::exists(labelsPath());
    if (hasImages != hasLabels) {
        m_loadError = tr("My digits: %1 is missing (its partner %2 is there)")
                          .arg(hasImages ? labelsPath() : imagesPath(),
                               hasImages ? imagesPath() : labelsPath());
    } else if (hasImages) {
        try {
            lenet::Dataset d =
                lenet::loadIdxPair(toStd(imagesPath()), toStd(labelsPath()), kClasses);
            if (d.rows != kSide || d.cols != kSide)
                m_loadError = tr("My digits: %1 holds %2x%3 images, expected %4x%4")
                                  .arg(imagesPath())
                                  .arg(d.rows)
                                  .arg(d.cols)
                                  .arg(kSide);
            d.classes = kClasses;
            if (m_loadError.isEmpty())
                m_data = std::make_shared<const lenet::Dataset>(std::move(d));
        } catch (const std::exception& e) {
            m_loadError = tr("My digits cannot be read: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    if (!m_loadError.isEmpty())
        m_loadError +=
            tr(" (the next digit you add starts a new set; these files are then kept "
               "in a dated folder beside them)");
    Q_EMIT changed();
    return m_loadError;
}

QString MyDigitsStore::add(const lenet::InkImage& image, int label) {
    if (image.rows != kSide || image.cols != kSide ||
        image.ink.size() != std::size_t(kSide) * kSide)
        return tr("Only %1x%1 images can be added to my digits, not %2x%3")
            .arg(kSide)
            .arg(image.rows)
            .arg(image.cols);
    if (label < 0 || label >= kClasses)
        return tr("A digit's label must be 0 to 9, not %1").arg(label);
    if (!m_loadError.isEmpty()) {
        const QString error = moveUnreadableAside();
        if (!error.isEmpty()) return error;
    }
    auto next = std::make_shared<lenet::Dataset>(m_data ? *m_data : emptySet(imagesPath()));
    for (float v : image.ink)
        next->images.push_back(std::uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)));
    next->labels.push_back(std::uint8_t(label));
    return save(std::move(next));
}

QString MyDigitsStore::remove(std::vector<int> indices) {
    if (!m_data || indices.empty()) return {};
    std::sort(indices.begin(), indices.end());
    indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
    auto next = std::make_shared<lenet::Dataset>(emptySet(imagesPath()));
    const std::size_t pixels = std::size_t(kSide) * kSide;
    for (int i = 0; i < m_data->size(); ++i) {
        if (std::binary_search(indices.begin(), indices.end(), i)) continue;
        next->images.insert(next->images.end(), m_data->image(i), m_data->image(i) + pixels);
        next->labels.push_back(m_data->labels[std::size_t(i)]);
    }
    return save(std::move(next));
}

QString MyDigitsStore::moveUnreadableAside() {
    const QDir folder(m_folder);
    const QString stamp = QStringLiteral("unreadable-") +
                          QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString name = stamp;
    for (int n = 2; folder.exists(name); ++n) name = stamp + QLatin1Char('-') + QString::number(n);
    if (!folder.mkdir(name)) return tr("Cannot create the folder %1").arg(folder.filePath(name));
    const QDir aside(folder.filePath(name));
    for (const QString& path : {imagesPath(), labelsPath()}) {
        const QFileInfo file(path);
        if (!file.exists() && !file.isSymLink()) continue;
        const QString target = aside.filePath(file.fileName());
        if (std::rename(QFile::encodeName(path).constData(),
                        QFile::encodeName(target).constData()) != 0)
            return tr("Cannot keep the unreadable %1 aside as %2, so no digit was added")
                .arg(path, target);
    }
    m_keptAside = aside.path();
    return {};
}

QString MyDigitsStore::save(std::shared_ptr<const lenet::Dataset> data) {
    if (data->size() == 0) {
        for (const QString& path : {imagesPath(), labelsPath()}) {
            QFile file(path);
            if (file.exists() && !file.remove())
                return tr("Cannot delete %1: %2").arg(path, file.errorString());
        }
        data.reset();
    } else {
        if (!QDir().mkpath(m_folder)) return tr("Cannot create the folder %1").arg(m_folder);
        try {
            lenet::saveIdxPair(toStd(imagesPath()), toStd(labelsPath()), *data);
        } catch (const std::exception& e) {
            return tr("Cannot save my digits: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    m_data = std::move(data);
    m_loadError.clear();
    Q_EMIT changed();
    return {};
}

}  // namespace lenet::ui
