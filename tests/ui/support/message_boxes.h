// Finding and closing the message boxes a MainWindow opens, for the window's Qt tests.
#pragma once

#include <QMessageBox>
#include <QString>
#include <QtTest>

#include "ui/window/main_window.h"

namespace lenet::ui::test {

/// The visible message box `name` the window opened last, or null.
inline QMessageBox* openBox(const MainWindow& window, const QString& name) {
    QMessageBox* found = nullptr;
    for (QMessageBox* box : window.findChildren<QMessageBox*>(name)) {
        if (box->isVisible()) found = box;
    }
    return found;
}

/// Closes the window's message boxes and makes it the active window again.
inline void closeBoxes(MainWindow& window) {
    for (QMessageBox* box : window.findChildren<QMessageBox*>()) box->close();
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window)) qWarning("the window did not become active");
}

}  // namespace lenet::ui::test
