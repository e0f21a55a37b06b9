// Qt Test of the model document: a saved model opens again as it was, trained weights are unsaved
// until saved, a save that fails leaves the file as it was and says why, a file that is no model
// leaves the current one, the title names the file, and the question before unsaved weights are
// lost saves nothing unless asked to; an ONNX export opens again as the same network and leaves
// the document's file and saved state alone.
#include <functional>
#include <memory>

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QWidget>
#include <QtTest>

#include "lenet/network.h"
#include "lenet/onnx.h"
#include "lenet/presets.h"
#include "ui/window/model_document.h"

using lenet::ui::EpochHistory;
using lenet::ui::ModelDocument;
using lenet::ui::NetworkSnapshot;

namespace {

NetworkSnapshot freshNetwork(unsigned seed) {
    auto net = std::make_shared<lenet::Network>(lenet::preset("lenet1"));
    net->initialize(seed);
    return net;
}

EpochHistory oneEpoch() {
    lenet::EpochMetrics m;
    m.epoch = 1;
    m.loss = 0.25;
    m.testError = 0.03;
    return {m};
}

QByteArray contents(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Presses the button of `role` in the modal message box that `trigger` opens; its text.
QString answer(QMessageBox::ButtonRole role, const std::function<void()>& trigger) {
    QString text;
    QTimer timer;
    timer.setInterval(10);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || box->objectName() != QStringLiteral("confirmDiscard")) return;
        text = box->text();
        for (QAbstractButton* button : box->buttons()) {
            if (box->buttonRole(button) == role) button->click();
        }
    });
    timer.start();
    trigger();
    return text;
}

}  // namespace

class TestModelDocument : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void savedModelOpensAsItWas();
    void trainedWeightsAreUnsavedUntilSaved();
    void failedSaveKeepsTheOldFileAndSaysWhy();
    void fileThatIsNoModelKeepsTheCurrentOne();
    void asksBeforeUnsavedWeightsAreLost();
    void onnxExportOpensAgainAsTheSameNetwork();

private:
    std::unique_ptr<QWidget> m_window;
    ModelDocument* m_doc = nullptr;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestModelDocument::init() {
    m_window = std::make_unique<QWidget>();
    m_doc = new ModelDocument(m_window.get());
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestModelDocument::cleanup() {
    m_window.reset();
    m_dir.reset();
}

void TestModelDocument::savedModelOpensAsItWas() {
    const NetworkSnapshot trained = freshNetwork(7);
    m_doc->setNetwork(trained, oneEpoch(), true);
    const QString path = m_dir->filePath(QStringLiteral("digits.lenet"));
    QSignalSpy status(m_doc, &ModelDocument::status);
    QVERIFY(m_doc->save(path));
    QCOMPARE(status.count(), 1);
    QVERIFY(status.front().front().toString().startsWith(QStringLiteral("Saved ")));
    QCOMPARE(m_doc->filePath(), path);
    QVERIFY(m_doc->windowTitle().contains(QStringLiteral("digits.lenet")));

    ModelDocument other(m_window.get());
    QSignalSpy networks(&other, &ModelDocument::networkChanged);
    QVERIFY(other.open(path));
    QCOMPARE(networks.count(), 1);
    QVERIFY(!other.isUnsaved());
    QCOMPARE(other.filePath(), path);
    QCOMPARE(other.network()->spec().name, trained->spec().name);
    QCOMPARE(other.network()->params().size(), trained->params().size());
    for (std::size_t p = 0; p < trained->params().size(); ++p) {
        QCOMPARE(other.network()->params()[p]->value, trained->params()[p]->value);
    }
    QCOMPARE(other.history(), oneEpoch());
}

void TestModelDocument::trainedWeightsAreUnsavedUntilSaved() {
    QSignalSpy changed(m_doc, &ModelDocument::changed);
    m_doc->setNetwork(freshNetwork(1), {}, false);
    QVERIFY(!m_doc->isUnsaved());
    m_doc->setNetwork(freshNetwork(2), oneEpoch(), true);  // a run ended
    QVERIFY(m_doc->isUnsaved());
    QCOMPARE(changed.count(), 2);
    const NetworkSnapshot snapshot = freshNetwork(3);
    m_doc->showSnapshot(snapshot);  // the next run's progress
    QCOMPARE(m_doc->network(), snapshot);
    QVERIFY(m_doc->isUnsaved());
    QCOMPARE(m_doc->history(), oneEpoch());
    QCOMPARE(changed.count(), 2);
    QVERIFY(m_doc->save(m_dir->filePath(QStringLiteral("a.lenet"))));
    QVERIFY(!m_doc->isUnsaved());
    QCOMPARE(changed.count(), 3);
    m_doc->setNetwork(freshNetwork(4), oneEpoch(), true);
    QVERIFY(m_doc->isUnsaved());
    QVERIFY(m_doc->filePath().isEmpty());  // no longer the file's weights
    QCOMPARE(m_doc->windowTitle(), QStringLiteral("LeNet Studio[*]"));
}

void TestModelDocument::failedSaveKeepsTheOldFileAndSaysWhy() {
    const QString path = m_dir->filePath(QStringLiteral("kept.lenet"));
    m_doc->setNetwork(freshNetwork(1), oneEpoch(), true);
    QVERIFY(m_doc->save(path));
    const QByteArray before = contents(path);
    QVERIFY(!before.isEmpty());
    // The model is written to a temporary file beside it first: make that impossible.
    QVERIFY(QDir().mkpath(
        QStringLiteral("%1.tmp-%2").arg(path).arg(QCoreApplication::applicationPid())));
    m_doc->setNetwork(freshNetwork(2), oneEpoch(), true);
    QSignalSpy problem(m_doc, &ModelDocument::problem);
    QVERIFY(!m_doc->save(path));
    QCOMPARE(problem.count(), 1);
    QCOMPARE(problem.front().at(0).toString(), QStringLiteral("Save model"));
    QVERIFY2(problem.front().at(1).toString().contains(QStringLiteral("kept.lenet")),
             qPrintable(problem.front().at(1).toString()));
    QCOMPARE(contents(path), before);
    QVERIFY(m_doc->isUnsaved());
    QVERIFY(m_doc->filePath().isEmpty());
}

void TestModelDocument::fileThatIsNoModelKeepsTheCurrentOne() {
    const NetworkSnapshot current = freshNetwork(5);
    m_doc->setNetwork(current, oneEpoch(), true);
    const QString path = m_dir->filePath(QStringLiteral("notes.lenet"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a model");
    file.close();
    QSignalSpy problem(m_doc, &ModelDocument::problem);
    QSignalSpy networks(m_doc, &ModelDocument::networkChanged);
    QVERIFY(!m_doc->open(path));
    QCOMPARE(problem.count(), 1);
    QVERIFY(problem.front().at(1).toString().contains(QStringLiteral("the current one stays")));
    QCOMPARE(networks.count(), 0);
    QCOMPARE(m_doc->network(), current);
    QVERIFY(m_doc->isUnsaved());
}

void TestModelDocument::asksBeforeUnsavedWeightsAreLost() {
    QVERIFY(m_doc->confirmDiscard(QStringLiteral("quitting"), {}));  // nothing to lose
    m_doc->setNetwork(freshNetwork(1), oneEpoch(), true);
    bool discard = false;
    const QString text = answer(QMessageBox::DestructiveRole, [&] {
        discard = m_doc->confirmDiscard(QStringLiteral("quitting"), QStringLiteral("lenet1 #2"));
    });
    QVERIFY(discard);
    QVERIFY2(
        text.contains(QStringLiteral("lenet1 #2")) && text.contains(QStringLiteral("quitting")),
        qPrintable(text));
    QVERIFY(m_doc->isUnsaved());  // discarding saves nothing
    bool cancel = true;
    answer(QMessageBox::RejectRole,
           [&] { cancel = m_doc->confirmDiscard(QStringLiteral("quitting"), {}); });
    QVERIFY(!cancel);
}

void TestModelDocument::onnxExportOpensAgainAsTheSameNetwork() {
    const NetworkSnapshot trained = freshNetwork(11);
    m_doc->setNetwork(trained, oneEpoch(), true);
    const QString path = m_dir->filePath(QStringLiteral("digits.onnx"));
    QSignalSpy status(m_doc, &ModelDocument::status);
    QVERIFY(m_doc->exportOnnx(path));
    QVERIFY(status.front().front().toString().startsWith(QStringLiteral("Exported ")));
    QVERIFY(m_doc->isUnsaved());  // an export is no save
    QVERIFY(m_doc->filePath().isEmpty());

    ModelDocument other(m_window.get());
    QVERIFY(other.open(path));
    QCOMPARE(other.network()->spec().name, trained->spec().name);
    for (std::size_t p = 0; p < trained->params().size(); ++p) {
        QCOMPARE(other.network()->params()[p]->value, trained->params()[p]->value);
    }
    QCOMPARE(other.history().size(), std::size_t(1));

    // A folder is no file to write: said, nothing written.
    QSignalSpy problem(m_doc, &ModelDocument::problem);
    QVERIFY(!m_doc->exportOnnx(m_dir->path()));
    QCOMPARE(problem.count(), 1);
}

QTEST_MAIN(TestModelDocument)
#include "test_model_document.moc"
