// ModelDocument: the current model and its file, read and written with lenet/model_io.
#include "ui/window/model_document.h"

#include <exception>
#include <optional>

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QWidget>

#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/model_io.h"
#include "lenet/onnx.h"
#include "ui/window/run_ledger.h"

namespace lenet::ui {
namespace {

const QString kModelFilter = QStringLiteral("LeNet models (*.lenet);;All files (*)");
const QString kOpenFilter = QStringLiteral(
    "Models (*.lenet *.onnx);;LeNet models (*.lenet);;ONNX models (*.onnx);;All files (*)");
const QString kOnnxFilter = QStringLiteral("ONNX models (*.onnx);;All files (*)");

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
}

/// The folder the model dialogs start in: where the last model was opened or saved.
QString modelDir() {
    return QSettings().value(QStringLiteral("modelDir"), QDir::homePath()).toString();
}

void rememberModelDir(const QString& path) {
    QSettings().setValue(QStringLiteral("modelDir"), QFileInfo(path).absolutePath());
}

}  // namespace

ModelDocument::ModelDocument(QWidget* window) : QObject(window), m_window(window) {}

QString ModelDocument::windowTitle() const {
    return m_path.isEmpty() ? tr("LeNet Studio[*]")
                            : tr("%1[*] - LeNet Studio").arg(QFileInfo(m_path).fileName());
}

void ModelDocument::setNetwork(const NetworkSnapshot& network, const EpochHistory& history,
                               bool unsaved, const QString& name) {
    replace(network, history, unsaved, name, {});
}

void ModelDocument::replace(const NetworkSnapshot& network, const EpochHistory& history,
                            bool unsaved, const QString& name, const QString& path) {
    m_network = network;
    m_history = history;
    m_unsaved = unsaved;
    m_name = !name.isEmpty() || !network ? name : fromStd(network->spec().name);
    m_path = path;
    Q_EMIT changed();
    Q_EMIT networkChanged(network, m_name);
}

void ModelDocument::showSnapshot(const NetworkSnapshot& network, const QString& name) {
    m_network = network;
    if (!name.isEmpty()) m_name = name;
    Q_EMIT networkChanged(network, m_name);
}

bool ModelDocument::open(const QString& path, const lenet::Dataset* testSet) {
    std::optional<lenet::Model> model;
    try {
        model = lenet::openModel(path.toStdString());
    } catch (const std::exception& e) {
        Q_EMIT problem(
            tr("Open model"),
            tr("Could not open the model; the current one stays.\n\n%1").arg(fromStd(e.what())));
        return false;
    }
    QString calibrated;
    if (!model->network.calibration() && testSet != nullptr) {
        try {
            model->network.setCalibration(lenet::calibrate(model->network, *testSet, 0));
            calibrated = tr("; calibrated on %L1 test images (the file has no calibration)")
                             .arg(testSet->size());
        } catch (const lenet::Error&) {
            // The test set does not fit this network: it stays uncalibrated, as the views say.
        }
    }
    auto network = std::make_shared<const lenet::Network>(std::move(model->network));
    replace(network, model->history, false, QFileInfo(path).fileName(), path);
    const int epochs = int(m_history.size());
    QString text = tr("Opened %1: %2, %n epoch(s) trained", nullptr, epochs)
                       .arg(QDir::toNativeSeparators(path), fromStd(network->spec().name));
    if (const QString error = testErrorSummary(m_history, network->spec().training.testLimit);
        !error.isEmpty()) {
        text += tr(", %1").arg(error);
    }
    Q_EMIT status(text + calibrated);
    return true;
}

bool ModelDocument::save(const QString& path) {
    if (!m_network) return false;
    try {
        lenet::saveModel(path.toStdString(), *m_network, m_history);
    } catch (const std::exception& e) {
        Q_EMIT problem(tr("Save model"), fromStd(e.what()));
        return false;
    }
    m_unsaved = false;
    m_path = path;
    Q_EMIT changed();
    Q_EMIT status(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool ModelDocument::saveAs() {
    if (!m_network) return false;
    const QString path = QFileDialog::getSaveFileName(
        m_window, tr("Save model"),
        QDir(modelDir()).filePath(fromStd(m_network->spec().name) + ".lenet"), kModelFilter);
    if (path.isEmpty()) return false;
    rememberModelDir(path);
    return save(path);
}

bool ModelDocument::exportOnnx(const QString& path) {
    if (!m_network) return false;
    try {
        lenet::exportOnnx(path.toStdString(), *m_network, m_history);
    } catch (const std::exception& e) {
        Q_EMIT problem(tr("Export as ONNX"), fromStd(e.what()));
        return false;
    }
    Q_EMIT status(tr("Exported %1 as ONNX (opset %2): it runs in ONNX Runtime, OpenCV's dnn "
                     "and Netron, and opens here again")
                      .arg(QDir::toNativeSeparators(path))
                      .arg(lenet::kOnnxOpset));
    return true;
}

bool ModelDocument::exportOnnxAs() {
    if (!m_network) return false;
    const QString base = m_path.isEmpty()
                             ? QDir(modelDir()).filePath(fromStd(m_network->spec().name))
                             : m_path.left(m_path.lastIndexOf(QLatin1Char('.')));
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export as ONNX"),
                                                      base + QStringLiteral(".onnx"), kOnnxFilter);
    if (path.isEmpty()) return false;
    rememberModelDir(path);
    return exportOnnx(path);
}

QString ModelDocument::askFileToOpen() {
    const QString path =
        QFileDialog::getOpenFileName(m_window, tr("Open model"), modelDir(), kOpenFilter);
    if (!path.isEmpty()) rememberModelDir(path);
    return path;
}

bool ModelDocument::confirmDiscard(const QString& what, const QString& whose) {
    if (!m_unsaved || !m_network) return true;
    QMessageBox box(QMessageBox::Question, tr("Unsaved weights"),
                    tr("The weights %1 learnt are not saved. Save them before %2?")
                        .arg(whose.isEmpty() ? fromStd(m_network->spec().name) : whose, what),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, m_window);
    box.setObjectName(QStringLiteral("confirmDiscard"));
    box.setDefaultButton(QMessageBox::Save);
    switch (box.exec()) {
        case QMessageBox::Save: saveAs(); return !m_unsaved;
        case QMessageBox::Discard: return true;
        default: return false;
    }
}

}  // namespace lenet::ui
