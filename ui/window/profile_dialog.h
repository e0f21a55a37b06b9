// Training > Profile layers: where a training step of the selected architecture spends its time,
// layer by layer (lenet::profileLayers), measured on a background thread (the idiom of
// ui/training/background_thread.h).
#pragma once

#include <optional>

#include <QDialog>

#include "lenet/profile.h"
#include "lenet/spec.h"
#include "ui/training/background_thread.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace lenet::ui {

class ProfileDialog : public QDialog {
    Q_OBJECT

public:
    /// Profiles `spec` (its training batch size preselected) when the user presses Measure.
    explicit ProfileDialog(lenet::ArchitectureSpec spec, QWidget* parent = nullptr);
    /// Waits for a measurement in progress (a second or two at most).
    ~ProfileDialog() override;

    /// Starts a measurement with the settings shown; done when measured() is emitted.
    void measure();
    /// The last measurement's table as text (what Copy puts on the clipboard).
    QString tableText() const;

Q_SIGNALS:
    void measured();

private:
    void showProfile(const lenet::LayerProfile& profile);
    void showError(const QString& message);

    lenet::ArchitectureSpec m_spec;
    QSpinBox* m_batch;
    QSpinBox* m_threads;
    QPushButton* m_measure;
    QPushButton* m_copy;
    QProgressBar* m_busy;
    QTableWidget* m_table;
    QLabel* m_summary;
    std::optional<lenet::LayerProfile> m_profile;
    BackgroundThread m_thread;  // last: joined first
};

}  // namespace lenet::ui
