// Qt Test of "my digits": a drawn stroke added with a label is saved as an IDX pair that
// lenet::loadSplit reads back (the image the network sees before padding); an empty drawing is
// refused; the label dialog starts at the network's answer; the My digits view lists the digits
// with their prediction and accuracy, selects and deletes them; a damaged file is reported; the
// training form's checkbox hands the digits to the run, and the worker trains on the data set's
// images plus them. Everything lives in temporary folders, never the user's.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "lenet/data/idx.h"
#include "lenet/data/idx_writer.h"
#include "lenet/error.h"
#include "lenet/presets.h"
#include "support/histories.h"
#include "support/time_scale.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/evaluation_model.h"
#include "ui/inspect/gallery_model.h"
#include "ui/inspect/my_digits_label_dialog.h"
#include "ui/inspect/my_digits_store.h"
#include "ui/inspect/my_digits_view.h"
#include "ui/inspect/selection_model.h"
#include "ui/training/background_thread.h"
#include "ui/training/training_controller.h"
#include "ui/training/training_controls.h"
#include "ui/training/training_worker.h"

using lenet::test::scaledMs;
using lenet::ui::DigitCanvas;
using lenet::ui::DrawingPanel;
using lenet::ui::GalleryModel;
using lenet::ui::MyDigitsLabelDialog;
using lenet::ui::MyDigitsStore;
using lenet::ui::MyDigitsView;
using lenet::ui::test::drawStroke;

namespace {

/// A vertical stroke (a 1), leaning by `lean` pixels.
std::vector<QPoint> one(int lean = 0) {
    std::vector<QPoint> points;
    for (int y = 40; y <= 240; y += 20) points.emplace_back(140 + lean * (140 - y) / 100, y);
    return points;
}

/// A bar and a diagonal (a 7).
std::vector<QPoint> seven() {
    return {{80, 60}, {140, 60}, {200, 60}, {170, 130}, {150, 190}, {135, 245}};
}

/// `count` 28x28 images, label i % 10, each a 6x6 block whose place depends on the label.
lenet::Dataset blocks(int count, const std::string& source) {
    lenet::Dataset d;
    d.rows = d.cols = 28;
    d.classes = 10;
    d.source = source;
    for (int i = 0; i < count; ++i) {
        const int label = i % 10;
        std::vector<std::uint8_t> image(28 * 28, 0);
        for (int y = 0; y < 6; ++y)
            for (int x = 0; x < 6; ++x)
                image[std::size_t((4 + 2 * label + y) * 28 + 4 + 2 * label + x)] = 255;
        d.images.insert(d.images.end(), image.begin(), image.end());
        d.labels.push_back(std::uint8_t(label));
    }
    return d;
}

/// LENET_TEST_GRAB_PATH with `suffix` before ".png".
QString grabPath(const char* suffix) {
    QString path = QStringLiteral(LENET_TEST_GRAB_PATH);
    return path.insert(path.size() - 4, QLatin1String(suffix));
}

/// Calls `act` on the next modal dialog of type T that opens (checked every 20 ms).
template <class T>
void onNextDialog(std::function<void(T*)> act) {
    auto* timer = new QTimer(qApp);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, act] {
        if (auto* dialog = qobject_cast<T*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            act(dialog);
        }
    });
    timer->start(20);
}

}  // namespace

class TestMyDigits : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void defaultFolderIsInTheAppDataFolder();
    void addedDrawingReadsBackWithLoadSplit();
    void emptyDrawingIsRefused();
    void labelDialogStartsAtTheAnswer();
    void viewListsDigitsWithPredictions();
    void deleteRemovesDigits();
    void damagedFilesAreReported();
    void unreadableSetIsKeptAside();
    void checkboxHandsTheDigitsToTheRun();
    void workerTrainsOnTheExtraImages();
    void grabsPanelAndView();

private:
    /// Waits until `view` has predictions for all of its digits.
    static bool waitForPredictions(MyDigitsView& view);
    /// Draws `points` on the panel's canvas and adds the drawing with `label`.
    void addDigit(const std::vector<QPoint>& points, int label);

    std::shared_ptr<const lenet::Network> m_net;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MyDigitsStore> m_store;
    std::unique_ptr<DrawingPanel> m_panel;
};

bool TestMyDigits::waitForPredictions(MyDigitsView& view) {
    lenet::ui::EvaluationModel& results = *view.evaluation();
    QSignalSpy spy(&results, &lenet::ui::EvaluationModel::predictionsChanged);
    for (int i = 0; i < 100 && (results.isBusy() || !results.predictions()); ++i)
        spy.wait(scaledMs(100));
    return !results.isBusy() && results.predictions() &&
           results.predictions()->count == view.model()->totalCount();
}

void TestMyDigits::addDigit(const std::vector<QPoint>& points, int label) {
    drawStroke(m_panel->canvas(), points);
    QCOMPARE(m_panel->addDrawing(label), QString());
}

void TestMyDigits::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    try {
        m_net = std::make_shared<const lenet::Network>(lenet::ui::loadBundledModel().network);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("cannot load the bundled model: %1").arg(e.what())));
    }
}

void TestMyDigits::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<MyDigitsStore>(m_dir->filePath(QStringLiteral("my-digits")));
    QCOMPARE(m_store->load(), QString());  // no files yet: an empty set, no error
    QCOMPARE(m_store->count(), 0);
    m_panel = std::make_unique<DrawingPanel>();
    m_panel->resize(640, 520);
    m_panel->setNetwork(m_net);
    m_panel->setMyDigits(m_store.get());
    m_panel->show();
    m_panel->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_panel.get()));
    m_panel->canvas()->setFixedSize(DigitCanvas::kSide, DigitCanvas::kSide);
    QTRY_COMPARE(m_panel->canvas()->size(), QSize(DigitCanvas::kSide, DigitCanvas::kSide));
}

void TestMyDigits::cleanup() {
    m_panel.reset();
    m_store.reset();
    m_dir.reset();
}

void TestMyDigits::defaultFolderIsInTheAppDataFolder() {
    const QString folder = MyDigitsStore::defaultFolder();
    QVERIFY(folder.endsWith(QStringLiteral("/my-digits")));
    QVERIFY(folder.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
    QVERIFY(folder.contains(QStringLiteral("qttest")));  // test mode: not the user's folder
}

void TestMyDigits::addedDrawingReadsBackWithLoadSplit() {
    auto* add = m_panel->findChild<QPushButton*>(QStringLiteral("addToMyDigits"));
    QVERIFY(add && add->isVisible());
    QVERIFY(add->toolTip().contains(QStringLiteral("Ctrl+Return")));
    QSignalSpy changed(m_store.get(), &MyDigitsStore::changed);
    drawStroke(m_panel->canvas(), one());
    QCOMPARE(m_panel->predictedClass(), 1);
    const lenet::InkImage centred = m_panel->centred();
    QCOMPARE(centred.rows, 28);
    QCOMPARE(centred.cols, 28);
    QCOMPARE(m_panel->addDrawing(1), QString());
    QCOMPARE(changed.count(), 1);
    QVERIFY(m_panel->canvas()->isEmpty());  // ready for the next digit
    QVERIFY(m_panel->findChild<QLabel*>(QStringLiteral("addedToMyDigits"))
                ->text()
                .contains(QStringLiteral("1 digit")));

    QVERIFY(QFile::exists(m_store->imagesPath()));
    QVERIFY(QFile::exists(m_store->labelsPath()));
    const lenet::Dataset back =
        lenet::loadSplit(m_store->folder().toStdString(), lenet::Split::Train);
    QCOMPARE(back.size(), 1);
    QCOMPARE(back.rows, 28);
    QCOMPARE(back.cols, 28);
    QCOMPARE(int(back.labels[0]), 1);
    for (std::size_t i = 0; i < centred.ink.size(); ++i)
        QCOMPARE(int(back.images[i]), int(std::lround(centred.ink[i] * 255.0f)));

    // A second digit is appended; a new store over the folder reads both.
    addDigit(seven(), 7);
    MyDigitsStore reopened(m_store->folder());
    QCOMPARE(reopened.load(), QString());
    QCOMPARE(reopened.count(), 2);
    QCOMPARE(reopened.dataset()->labels, (std::vector<std::uint8_t>{1, 7}));
}

void TestMyDigits::emptyDrawingIsRefused() {
    QVERIFY(m_panel->addDrawing(3).contains(QStringLiteral("draw a digit")));
    // A stroke entirely outside the canvas leaves no ink either.
    drawStroke(m_panel->canvas(), {{-200, -200}, {-150, -150}});
    QVERIFY(!m_panel->canvas()->isEmpty());
    QVERIFY(m_panel->addDrawing(3).contains(QStringLiteral("no ink")));
    QCOMPARE(m_store->count(), 0);
    QVERIFY(!QFile::exists(m_store->imagesPath()));

    // The button says so in a message box instead of asking for a label.
    m_panel->canvas()->clear();
    QString shown;
    onNextDialog<QMessageBox>([&shown](QMessageBox* box) {
        shown = box->text();
        box->accept();
    });
    m_panel->findChild<QPushButton*>(QStringLiteral("addToMyDigits"))->click();
    QVERIFY(shown.contains(QStringLiteral("draw a digit")));
    QCOMPARE(m_store->count(), 0);
}

void TestMyDigits::labelDialogStartsAtTheAnswer() {
    drawStroke(m_panel->canvas(), one());
    QCOMPARE(m_panel->predictedClass(), 1);
    int initial = -2;
    onNextDialog<MyDigitsLabelDialog>([&initial](MyDigitsLabelDialog* dialog) {
        initial = dialog->label();
        QTest::keyClick(dialog, Qt::Key_4);  // the digit keys pick the label
        QTest::keyClick(dialog, Qt::Key_Return);
    });
    QTest::keyClick(m_panel->canvas(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(initial, 1);
    QCOMPARE(m_store->count(), 1);
    QCOMPARE(int(m_store->dataset()->labels[0]), 4);

    // Cancel adds nothing.
    drawStroke(m_panel->canvas(), seven());
    onNextDialog<MyDigitsLabelDialog>([](MyDigitsLabelDialog* dialog) { dialog->reject(); });
    m_panel->addToMyDigits();
    QCOMPARE(m_store->count(), 1);
    QVERIFY(!m_panel->canvas()->isEmpty());
}

void TestMyDigits::viewListsDigitsWithPredictions() {
    addDigit(one(), 1);
    addDigit(one(15), 1);
    addDigit(seven(), 7);
    MyDigitsView view;
    lenet::ui::SelectionModel selection;
    view.setStore(m_store.get());
    view.setSelectionModel(&selection);
    view.setNetwork(m_net);
    QVERIFY(waitForPredictions(view));
    GalleryModel* model = view.model();
    QCOMPARE(model->rowCount(), 3);
    for (int r = 0; r < 3; ++r) {
        const QModelIndex i = model->index(r);
        QCOMPARE(i.data(GalleryModel::IndexRole).toInt(), r);  // in the order they were added
        QCOMPARE(i.data(GalleryModel::PredictedRole).toInt(), i.data(GalleryModel::TrueRole));
        QVERIFY(i.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("My digit")));
    }
    QCOMPARE(view.statusText(),
             QStringLiteral("3 digits · the network gets 3 of 3 right (100.0%)"));

    // A digit labelled wrongly counts as a mistake; a new network is evaluated again.
    addDigit(one(), 5);
    QVERIFY(waitForPredictions(view));
    QVERIFY(view.statusText().endsWith(QStringLiteral("3 of 4 right (75.0%)")));
    auto untrained = std::make_shared<lenet::Network>(lenet::preset("lenet5-1998"));
    untrained->initialize(1);
    view.setNetwork(untrained);
    QVERIFY(view.evaluation()->isBusy());
    QVERIFY(waitForPredictions(view));
    view.setNetwork(nullptr);
    QVERIFY(view.statusText().endsWith(QStringLiteral("no network to classify them")));
    view.setNetwork(m_net);
    QVERIFY(waitForPredictions(view));

    // A click selects the digit for the other views.
    view.resize(420, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QRect third = view.list()->visualRect(model->index(2));
    QTest::mouseClick(view.list()->viewport(), Qt::LeftButton, Qt::NoModifier, third.center());
    QCOMPARE(selection.current().label, 7);
    QCOMPARE(selection.current().testIndex, -1);
    QCOMPARE(selection.current().image.rows, 28);
    QVERIFY(selection.current().description.startsWith(QStringLiteral("my digit 2 (a 7")));

    const QString csv = m_dir->filePath(QStringLiteral("digits.csv"));
    QCOMPARE(view.exportCsv(csv), QString());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 5);
    QVERIFY(lines[3].startsWith("2,7,7,"));
    QVERIFY(lines[4].startsWith("3,5,1,"));
}

void TestMyDigits::deleteRemovesDigits() {
    addDigit(one(), 1);
    addDigit(seven(), 7);
    addDigit(one(-10), 1);
    MyDigitsView view;
    view.setStore(m_store.get());
    view.setNetwork(m_net);
    view.resize(420, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(waitForPredictions(view));
    auto* button = view.findChild<QPushButton*>(QStringLiteral("deleteDigits"));
    QVERIFY(!button->isEnabled());  // nothing selected

    // Del on the list deletes the selected digit (the 7) from the set and the files.
    QListView* list = view.list();
    list->setFocus();
    list->selectionModel()->select(view.model()->index(1), QItemSelectionModel::ClearAndSelect);
    QVERIFY(button->isEnabled());
    QTest::keyClick(list, Qt::Key_Delete);
    QCOMPARE(m_store->count(), 2);
    QCOMPARE(m_store->dataset()->labels, (std::vector<std::uint8_t>{1, 1}));
    QCOMPARE(view.model()->rowCount(), 2);
    const lenet::Dataset back =
        lenet::loadSplit(m_store->folder().toStdString(), lenet::Split::Train);
    QCOMPARE(back.labels, (std::vector<std::uint8_t>{1, 1}));

    // Deleting the rest removes the files.
    list->selectAll();
    QCOMPARE(view.deleteSelected(), QString());
    QCOMPARE(m_store->count(), 0);
    QVERIFY(!QFile::exists(m_store->imagesPath()));
    QVERIFY(!QFile::exists(m_store->labelsPath()));
    QVERIFY(view.statusText().startsWith(QStringLiteral("No digits yet")));
}

void TestMyDigits::damagedFilesAreReported() {
    addDigit(one(), 1);
    QFile images(m_store->imagesPath());
    QVERIFY(images.open(QIODevice::Append));
    images.write("junk");
    images.close();
    MyDigitsView view;
    view.setStore(m_store.get());
    const QString error = m_store->load();
    QVERIFY(error.contains(m_store->imagesPath()));
    QVERIFY(error.contains(QStringLiteral("trailing bytes")));
    QCOMPARE(m_store->count(), 0);
    QCOMPARE(view.statusText(), error);

    QVERIFY(QFile::remove(m_store->labelsPath()));
    QVERIFY(m_store->load().contains(QStringLiteral("is missing")));
}

void TestMyDigits::unreadableSetIsKeptAside() {
    addDigit(one(), 1);
    addDigit(seven(), 7);
    QFile labels(m_store->labelsPath());
    QVERIFY(labels.open(QIODevice::ReadWrite));
    QVERIFY(labels.seek(labels.size() - 1));
    labels.write("\x0c");  // label 12 of 10 classes
    labels.close();
    const auto bytes = [](const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const QByteArray images = bytes(m_store->imagesPath()), damaged = bytes(labels.fileName());
    QVERIFY(m_store->load().contains(QStringLiteral("kept in a dated folder")));
    QCOMPARE(m_store->count(), 0);
    QVERIFY(m_store->keptAside().isEmpty());

    addDigit(seven(), 7);
    QCOMPARE(m_store->count(), 1);
    const QString aside = m_store->keptAside();
    QVERIFY(QFileInfo(aside).fileName().startsWith(QStringLiteral("unreadable-")));
    QCOMPARE(QFileInfo(aside).dir().path(), m_store->folder());
    QCOMPARE(bytes(QDir(aside).filePath(QFileInfo(m_store->imagesPath()).fileName())), images);
    QCOMPARE(bytes(QDir(aside).filePath(QFileInfo(m_store->labelsPath()).fileName())), damaged);
    QVERIFY(m_panel->findChild<QLabel*>(QStringLiteral("addedToMyDigits"))->text().contains(aside));
    MyDigitsView view;
    view.setStore(m_store.get());
    QVERIFY(view.statusText().contains(aside));

    QVERIFY(QFile::remove(m_store->labelsPath()));  // a lone images file is kept too
    QVERIFY(m_store->load().contains(QStringLiteral("is missing")));
    addDigit(one(), 1);
    QVERIFY(m_store->keptAside() != aside);
    QVERIFY(QFile::exists(
        QDir(m_store->keptAside()).filePath(QFileInfo(m_store->imagesPath()).fileName())));
    QCOMPARE(m_store->count(), 1);
}

void TestMyDigits::checkboxHandsTheDigitsToTheRun() {
    lenet::ui::TrainingControls controls;
    auto* box = controls.findChild<QCheckBox*>(QStringLiteral("myDigits"));
    QVERIFY(box);
    QVERIFY(box->isHidden());  // no store: no checkbox
    controls.setMyDigits(m_store.get());
    QVERIFY(!box->isHidden());
    QCOMPARE(box->text(), QStringLiteral("Train on my digits too (0)"));
    QVERIFY(!box->isEnabled());
    QVERIFY(box->toolTip().contains(QStringLiteral("No digits saved yet")));

    addDigit(one(), 1);
    addDigit(seven(), 7);
    QCOMPARE(box->text(), QStringLiteral("Train on my digits too (2)"));
    QVERIFY(box->isEnabled());
    QVERIFY(!box->isChecked());
    QVERIFY(!controls.extraTrainingData());
    box->setChecked(true);
    QCOMPARE(controls.extraTrainingData(), m_store->dataset());
    QCOMPARE(controls.extraTrainingData()->size(), 2);

    controls.setRunning(true);
    QVERIFY(!box->isEnabled());
    QVERIFY(box->toolTip().contains(QStringLiteral("Locked while training")));
    controls.setRunning(false);
    QVERIFY(box->isEnabled());
}

void TestMyDigits::workerTrainsOnTheExtraImages() {
    // A tiny data set folder in MNIST's file names.
    const QString data = m_dir->filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkpath(data));
    const std::string dir = data.toStdString();
    lenet::saveIdxPair(dir + "/train-images-idx3-ubyte", dir + "/train-labels-idx1-ubyte",
                       blocks(30, "train"));
    lenet::saveIdxPair(dir + "/t10k-images-idx3-ubyte", dir + "/t10k-labels-idx1-ubyte",
                       blocks(5, "test"));
    auto extra = std::make_shared<const lenet::Dataset>(blocks(3, "mine"));

    const lenet::Dataset combined =
        lenet::ui::withExtraTrainingImages(blocks(30, "train"), *extra, 10);
    QCOMPARE(combined.size(), 13);
    QVERIFY(std::equal(extra->images.begin(), extra->images.end(), combined.images.begin()));
    QCOMPARE(combined.labels[3], std::uint8_t(0));  // the training set's first image follows
    lenet::Dataset wrongSize = blocks(1, "small");
    wrongSize.rows = wrongSize.cols = 14;
    wrongSize.images.resize(14 * 14);
    QVERIFY_THROWS_EXCEPTION(lenet::ConfigError,
                             lenet::ui::withExtraTrainingImages(combined, wrongSize, 0));

    lenet::ArchitectureSpec spec = lenet::preset("lenet5-1998");
    spec.training.epochs = 1;
    spec.training.batch = 1;
    spec.training.trainLimit = 10;
    spec.training.validation = 0.0f;
    spec.training.threads = 1;
    auto batchesPerEpoch = [&](std::shared_ptr<const lenet::Dataset> extraTrain) {
        lenet::ui::TrainingController reports;
        lenet::ui::BackgroundThread thread;
        lenet::ui::TrainingWorker worker(thread, reports);
        int batches = -1;
        QString failure;
        connect(&reports, &lenet::ui::TrainingController::progressed, this,
                [&batches](const lenet::Progress& p) { batches = p.batches; });
        connect(&reports, &lenet::ui::TrainingController::failed, this,
                [&failure](const QString& message) { failure = message; });
        lenet::ui::TrainingRequest request{spec, dir, {}, nullptr, std::move(extraTrain)};
        worker.run(request);
        QCoreApplication::sendPostedEvents();  // the reports, posted to this thread
        return failure.isEmpty() ? batches : -2;
    };
    QCOMPARE(batchesPerEpoch(nullptr), 10);
    QCOMPARE(batchesPerEpoch(extra), 13);  // the limit counts the data set's images only
    spec.training.trainLimit = 0;
    QCOMPARE(batchesPerEpoch(extra), 33);
}

void TestMyDigits::grabsPanelAndView() {
    addDigit(one(), 1);
    addDigit(seven(), 7);
    addDigit(one(12), 1);
    addDigit(seven(), 2);  // labelled wrongly on purpose: shown in red
    drawStroke(m_panel->canvas(), seven());
    QVERIFY(m_panel->grab().save(grabPath("_drawing")));

    MyDigitsView view;
    view.setStore(m_store.get());
    view.setNetwork(m_net);
    view.resize(480, 320);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(waitForPredictions(view));
    view.list()->selectionModel()->select(view.model()->index(1),
                                          QItemSelectionModel::ClearAndSelect);
    QVERIFY(view.grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
    const QString png = m_dir->filePath(QStringLiteral("view.png"));
    QCOMPARE(view.exportPng(png), QString());
    QVERIFY(!QImage(png).isNull());
}

QTEST_MAIN(TestMyDigits)
#include "test_my_digits.moc"
