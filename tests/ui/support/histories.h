// Made-up training histories and mouse strokes for the studio's Qt tests.
#pragma once

#include <vector>

#include <QPoint>
#include <QtTest>

#include "ui/training/training_types.h"

namespace lenet::ui::test {

/// `epochs` epochs of 2 s at 1,000 images/s whose test error is 0.5 but in the last epoch,
/// where it is `lastTestError`.
inline EpochHistory history(int epochs, double lastTestError) {
    EpochHistory out;
    for (int e = 1; e <= epochs; ++e) {
        lenet::EpochMetrics m;
        m.epoch = e;
        m.loss = 1.0 / e;
        m.trainError = 0.1 / e;
        m.testError = e == epochs ? lastTestError : 0.5;
        m.seconds = 2.0;
        m.imagesPerSecond = 1000.0;
        out.push_back(m);
    }
    return out;
}

/// Presses at the first point, moves through the others and releases at the last.
inline void drawStroke(QWidget* canvas, const std::vector<QPoint>& points) {
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, points.front());
    for (std::size_t i = 1; i < points.size(); ++i) QTest::mouseMove(canvas, points[i]);
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, points.back());
}

}  // namespace lenet::ui::test
