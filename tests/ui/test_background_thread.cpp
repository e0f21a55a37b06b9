// Qt Test of the studio's background-thread idiom: the work's reports run on the owner's thread
// in the order posted, the work sees its stop token, and destroying the thread stops and joins
// the work and drops the calls still queued.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <QThread>
#include <QtTest>

#include "support/time_scale.h"
#include "ui/training/background_thread.h"

using lenet::test::scaledMs;
using lenet::ui::BackgroundThread;

class TestBackgroundThread : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsReportsOnTheOwnersThreadInOrder();
    void stopWakesTheWorkAndWaitsForIt();
    void destructionDropsQueuedCalls();
};

void TestBackgroundThread::runsReportsOnTheOwnersThreadInOrder() {
    BackgroundThread thread;
    std::vector<int> received;
    bool onOwnersThread = true;
    QThread* const owner = QThread::currentThread();
    thread.start([&](std::stop_token) {
        for (int i = 0; i < 100; ++i) {
            thread.post([&, i] {
                received.push_back(i);
                onOwnersThread = onOwnersThread && QThread::currentThread() == owner;
            });
        }
    });
    QVERIFY(thread.isActive());
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), std::size_t(100), scaledMs(5000));
    for (int i = 0; i < 100; ++i) QCOMPARE(received[std::size_t(i)], i);
    QVERIFY(onOwnersThread);
    thread.join();
    QVERIFY(!thread.isActive());
}

void TestBackgroundThread::stopWakesTheWorkAndWaitsForIt() {
    BackgroundThread thread;
    std::atomic<bool> ended = false;
    thread.start([&](std::stop_token stop) {
        while (!stop.stop_requested()) std::this_thread::yield();
        ended = true;
    });
    thread.stop();
    QVERIFY(ended);
    QVERIFY(!thread.isActive());
    thread.start([&](std::stop_token) { ended = false; });  // a second work after the first
    thread.join();
    QVERIFY(!ended);
}

void TestBackgroundThread::destructionDropsQueuedCalls() {
    int calls = 0;
    {
        BackgroundThread thread;
        thread.start([&](std::stop_token) { thread.post([&] { ++calls; }); });
        thread.join();  // the call waits for this thread's event loop, which does not run
    }
    QCoreApplication::processEvents();
    QCOMPARE(calls, 0);
}

QTEST_MAIN(TestBackgroundThread)
#include "test_background_thread.moc"
