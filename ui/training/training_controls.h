// The run settings a user edits before pressing Train: optimiser, learning rate and schedule,
// epochs, batch size and data limits up front; regularisation, distortions (none, affine, affine
// and elastic, with a preview of the selected digit distorted) and validation, and the seed and
// thread count in folded sections; plus the Train and Stop buttons. While a run
// goes on only the learning rate stays editable (it applies at the next batch). A checkbox adds
// the user's own digits ("my digits") to the training set of the next run.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include <QString>
#include <QWidget>

#include "lenet/data/idx.h"
#include "lenet/spec.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace lenet::ui {

class MyDigitsStore;
class SelectionModel;

class TrainingControls : public QWidget {
    Q_OBJECT

public:
    explicit TrainingControls(QWidget* parent = nullptr);
    /// Disconnects the fields first: a spin box that loses the focus while QWidget's destructor
    /// runs may still report a typed value, after this class's members are gone.
    ~TrainingControls() override;

    /// Shows the settings of `config` (a preset's spec.training), except the training and test
    /// image limits the user has chosen: those stay.
    void showConfig(const lenet::TrainingConfig& config);
    /// Sets the training and test image limits as the user's choice (kept by showConfig); a
    /// negative value leaves a limit as it is.
    void chooseLimits(int trainLimit, int testLimit);
    /// `config` with the fields these controls edit replaced by the user's values; the others
    /// (momentum, Adam's betas, the schedule's step, ...) stay as they are.
    lenet::TrainingConfig applyTo(lenet::TrainingConfig config) const;
    /// Locks every setting but the learning rate and swaps which button is enabled; the locked
    /// fields' tool tips say that they need a new run.
    void setRunning(bool running);
    /// Allows or forbids Train (e.g. for an architecture that does not fit); when forbidden the
    /// button's tool tip gives `reason`.
    void setTrainEnabled(bool enabled, const QString& reason = QString());

    /// Shows "Train on my digits too (N)" for `store` and follows its count (null:
    /// the checkbox is hidden). The box is off at first and disabled while the set is empty.
    void setMyDigits(MyDigitsStore* store);
    /// The images to train on besides the data set's training split, for TrainingRequest::
    /// extraTrain: the store's digits when the box is checked and there are some, else null.
    std::shared_ptr<const lenet::Dataset> extraTrainingData() const;

    /// The distortion preview shows the image `selection` holds (a test image or a drawing),
    /// distorted as the next run would (null: no preview).
    void setPreviewSource(SelectionModel* selection);

    /// The strength of the elastic distortions the "affine and elastic" choice adds when the
    /// shown settings have none: Simard et al. 2003's alpha for MNIST.
    static constexpr float kDefaultElasticAlpha = 34.0f;

Q_SIGNALS:
    void epochsChanged(int epochs);
    /// The user set a new learning rate (not emitted by showConfig).
    void learningRateChanged(double rate);
    /// The user changed any setting (not emitted by showConfig).
    void settingsChanged();
    void trainClicked();
    void stopClicked();

private:
    /// Registers a field for setRunning's lock and tool-tip note.
    void addLockable(QWidget* field);
    void userEdited();
    void updateEnabled();
    /// `config`'s distort flag and distortion as the distortion box chooses.
    void applyDistortion(lenet::TrainingConfig& config) const;
    /// Redraws the preview: a few random distortions of the selected image, or why there is none.
    void updatePreview();

    QComboBox* m_optimizer;
    QDoubleSpinBox* m_learningRate;
    QComboBox* m_schedule;
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QSpinBox* m_trainLimit;
    QSpinBox* m_testLimit;
    QDoubleSpinBox* m_l1;
    QDoubleSpinBox* m_l2;
    QDoubleSpinBox* m_weightDecay;
    QComboBox* m_distortion;
    QLabel* m_preview;
    QToolButton* m_redraw;
    QCheckBox* m_myDigits;
    QDoubleSpinBox* m_validation;
    QSpinBox* m_patience;
    QSpinBox* m_seed;
    QSpinBox* m_threads;
    QPushButton* m_train;
    QPushButton* m_stop;

    MyDigitsStore* m_myDigitsStore = nullptr;
    SelectionModel* m_previewSource = nullptr;
    lenet::InkImage m_previewImage;                        // the selection's image; empty when none
    lenet::Distortion m_shownDistortion;                   // the distortion of the last showConfig
    unsigned m_previewDraw = 0;                            // which random draws the preview shows
    std::vector<std::pair<QWidget*, QString>> m_lockable;  // field, its tool tip when idle
    bool m_running = false;
    bool m_trainAllowed = true;
    QString m_trainBlockedReason;
    bool m_showing = false;           // inside showConfig: changes are not the user's
    bool m_trainLimitChosen = false;  // the user set the limit: a preset's does not replace it
    bool m_testLimitChosen = false;
};

}  // namespace lenet::ui
