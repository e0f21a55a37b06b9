// inspectDataset: lenet::loadSplit does the checking (it throws errors naming the file and the
// problem); this file turns the result into sentences and adds the architecture's constraints.
#include "ui/window/dataset_check.h"

#include <algorithm>
#include <exception>
#include <vector>

#include <QCoreApplication>
#include <QDir>
#include <QLocale>

#include "lenet/data/idx.h"
#include "lenet/network.h"

namespace lenet::ui {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("lenet::ui::DatasetCheck", text);
}

/// "60,000 images of 28x28, labels 0-9 (5,421 to 6,742 per class)".
QString describe(const lenet::Dataset& d) {
    const QLocale locale;
    std::vector<int> perClass(std::size_t(std::max(1, d.classes)), 0);
    for (const std::uint8_t label : d.labels) ++perClass[label];
    const auto [fewest, most] = std::minmax_element(perClass.begin(), perClass.end());
    return tr("%1 images of %2x%3, labels 0-%4 (%5 to %6 per class)")
        .arg(locale.toString(d.size()))
        .arg(d.rows)
        .arg(d.cols)
        .arg(d.classes - 1)
        .arg(locale.toString(*fewest), locale.toString(*most));
}

}  // namespace

DatasetReport inspectDataset(const QString& dir, const lenet::ArchitectureSpec& spec) {
    const QString where = QDir::toNativeSeparators(dir);
    lenet::Dataset train, test;
    try {
        train = lenet::loadSplit(dir.toStdString(), lenet::Split::Train);
        test = lenet::loadSplit(dir.toStdString(), lenet::Split::Test);
    } catch (const std::exception& e) {
        return {false, tr("%1 cannot be used: %2").arg(where, QString::fromStdString(e.what()))};
    }
    QStringList problems;
    if (train.rows != test.rows || train.cols != test.cols) {
        problems << tr("the training images are %1x%2 but the test images %3x%4")
                        .arg(train.rows)
                        .arg(train.cols)
                        .arg(test.rows)
                        .arg(test.cols);
    }
    const QString name = QString::fromStdString(spec.name);
    try {
        const lenet::Network net(spec);
        const lenet::Shape in = net.inputShape();
        if (train.rows > in.h || train.cols > in.w) {
            problems << tr("%1 takes %2x%3 images; these are %4x%5")
                            .arg(name)
                            .arg(in.h)
                            .arg(in.w)
                            .arg(train.rows)
                            .arg(train.cols);
        }
        const int classes = std::max(train.classes, test.classes);
        if (classes > net.classes()) {
            problems << tr("%1 tells %2 classes apart; the labels go up to %3")
                            .arg(name)
                            .arg(net.classes())
                            .arg(classes - 1);
        }
    } catch (const std::exception& e) {
        problems << tr("the architecture %1 does not build: %2")
                        .arg(name, QString::fromStdString(e.what()));
    }
    const QString found = tr("Training set: %1\n(%2)\nTest set: %3\n(%4)")
                              .arg(describe(train), QString::fromStdString(train.source),
                                   describe(test), QString::fromStdString(test.source));
    if (!problems.isEmpty()) {
        return {false, tr("%1 cannot be used with %2: %3.\n\n%4")
                           .arg(where, name, problems.join(QStringLiteral("; ")), found)};
    }
    return {true, tr("%1 is usable.\n\n%2").arg(where, found)};
}

}  // namespace lenet::ui
