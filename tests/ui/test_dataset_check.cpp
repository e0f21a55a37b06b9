// Qt Test of File > Open data set's verdicts on folders of IDX files written here: what a usable
// folder holds, and why an empty folder, a truncated file, images too large for the architecture
// or too many classes cannot be used.
#include <cstdint>
#include <vector>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/presets.h"
#include "ui/window/dataset_check.h"

using lenet::ui::DatasetReport;
using lenet::ui::inspectDataset;

namespace {

void appendU32(QByteArray& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.append(char((v >> shift) & 0xff));
}

bool write(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

/// Writes <prefix>-images-idx3-ubyte and <prefix>-labels-idx1-ubyte: `labels.size()` grey
/// images of size x size, image i filled with the value i.
bool writeSplit(const QString& dir, const QString& prefix, int size,
                const std::vector<std::uint8_t>& labels) {
    QByteArray images, labelBytes;
    appendU32(images, 0x00000803);
    appendU32(images, std::uint32_t(labels.size()));
    appendU32(images, std::uint32_t(size));
    appendU32(images, std::uint32_t(size));
    for (std::size_t i = 0; i < labels.size(); ++i) images.append(size * size, char(i));
    appendU32(labelBytes, 0x00000801);
    appendU32(labelBytes, std::uint32_t(labels.size()));
    for (const std::uint8_t label : labels) labelBytes.append(char(label));
    return write(dir + "/" + prefix + "-images-idx3-ubyte", images) &&
           write(dir + "/" + prefix + "-labels-idx1-ubyte", labelBytes);
}

/// Two images of every label 0..classes-1.
std::vector<std::uint8_t> labels(int classes) {
    std::vector<std::uint8_t> l;
    for (int c = 0; c < classes; ++c) l.insert(l.end(), 2, std::uint8_t(c));
    return l;
}

}  // namespace

class TestDatasetCheck : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void describesAUsableFolder();
    void explainsAnEmptyFolder();
    void explainsATruncatedFile();
    void explainsImagesTooLargeForTheArchitecture();
    void explainsMoreClassesThanTheOutput();
};

void TestDatasetCheck::describesAUsableFolder() {
    QTemporaryDir dir;
    QVERIFY(writeSplit(dir.path(), QStringLiteral("train"), 28, labels(10)));
    std::vector<std::uint8_t> test = labels(10);
    test.push_back(3);
    QVERIFY(writeSplit(dir.path(), QStringLiteral("t10k"), 28, test));
    const DatasetReport report = inspectDataset(dir.path(), lenet::preset("lenet5-modern"));
    QVERIFY2(report.usable, qPrintable(report.text));
    QVERIFY2(report.text.contains(
                 QStringLiteral("Training set: 20 images of 28x28, labels 0-9 (2 to 2 per class)")),
             qPrintable(report.text));
    QVERIFY2(report.text.contains(
                 QStringLiteral("Test set: 21 images of 28x28, labels 0-9 (2 to 3 per class)")),
             qPrintable(report.text));
    QVERIFY(report.text.contains(QStringLiteral("train-images-idx3-ubyte")));
}

void TestDatasetCheck::explainsAnEmptyFolder() {
    QTemporaryDir dir;
    const DatasetReport report = inspectDataset(dir.path(), lenet::preset("lenet5-modern"));
    QVERIFY(!report.usable);
    QVERIFY2(report.text.startsWith(dir.path() + QStringLiteral(" cannot be used: ")),
             qPrintable(report.text));
    QVERIFY2(report.text.contains(QStringLiteral("train")), qPrintable(report.text));
}

void TestDatasetCheck::explainsATruncatedFile() {
    QTemporaryDir dir;
    QVERIFY(writeSplit(dir.path(), QStringLiteral("train"), 28, labels(10)));
    QVERIFY(writeSplit(dir.path(), QStringLiteral("t10k"), 28, labels(10)));
    const QString images = dir.filePath(QStringLiteral("train-images-idx3-ubyte"));
    QVERIFY(QFile::resize(images, 16 + 28 * 28 * 5));
    const DatasetReport report = inspectDataset(dir.path(), lenet::preset("lenet5-modern"));
    QVERIFY(!report.usable);
    QVERIFY2(report.text.contains(QStringLiteral("cannot be used")), qPrintable(report.text));
    QVERIFY2(report.text.contains(images), qPrintable(report.text));
}

void TestDatasetCheck::explainsImagesTooLargeForTheArchitecture() {
    QTemporaryDir dir;
    QVERIFY(writeSplit(dir.path(), QStringLiteral("train"), 40, labels(10)));
    QVERIFY(writeSplit(dir.path(), QStringLiteral("t10k"), 40, labels(10)));
    const DatasetReport report = inspectDataset(dir.path(), lenet::preset("lenet5-modern"));
    QVERIFY(!report.usable);
    QVERIFY2(
        report.text.contains(QStringLiteral("lenet5-modern takes 32x32 images; these are 40x40")),
        qPrintable(report.text));
    QVERIFY(report.text.contains(QStringLiteral("20 images of 40x40")));  // what was found
}

void TestDatasetCheck::explainsMoreClassesThanTheOutput() {
    QTemporaryDir dir;
    QVERIFY(writeSplit(dir.path(), QStringLiteral("train"), 28, labels(12)));
    QVERIFY(writeSplit(dir.path(), QStringLiteral("t10k"), 28, labels(10)));
    const DatasetReport report = inspectDataset(dir.path(), lenet::preset("lenet5-1998"));
    QVERIFY(!report.usable);
    QVERIFY2(report.text.contains(
                 QStringLiteral("lenet5-1998 tells 10 classes apart; the labels go up to 11")),
             qPrintable(report.text));
}

QTEST_MAIN(TestDatasetCheck)
#include "test_dataset_check.moc"
