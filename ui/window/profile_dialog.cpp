// ProfileDialog: the settings, the measurement on its BackgroundThread and the table it shows.
#include "ui/window/profile_dialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "lenet/parallel.h"

namespace lenet::ui {
namespace {

constexpr int kBatches = 20;

QTableWidgetItem* numberItem(double value) {
    auto* item = new QTableWidgetItem(QString::number(value, 'f', 1));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

}  // namespace

ProfileDialog::ProfileDialog(lenet::ArchitectureSpec spec, QWidget* parent)
    : QDialog(parent),
      m_spec(std::move(spec)),
      m_batch(new QSpinBox(this)),
      m_threads(new QSpinBox(this)),
      m_measure(new QPushButton(tr("&Measure"), this)),
      m_copy(new QPushButton(tr("&Copy table"), this)),
      m_busy(new QProgressBar(this)),
      m_table(new QTableWidget(0, 8, this)),
      m_summary(new QLabel(this)) {
    setWindowTitle(tr("Profile layers: %1").arg(QString::fromStdString(m_spec.name)));
    m_batch->setRange(1, 1024);
    m_batch->setValue(m_spec.training.batch);
    m_batch->setToolTip(tr("Images per training step"));
    m_threads->setRange(1, std::max(1, lenet::hardwareThreads()));
    m_threads->setValue(m_threads->maximum());
    m_threads->setToolTip(
        tr("Threads the step may use (this machine has %1 cores)").arg(lenet::hardwareThreads()));
    m_measure->setToolTip(tr("Time %1 training steps on random images, then each layer's "
                             "forward and backward pass (a second or two; pause training first "
                             "for figures that are not shared with it)")
                              .arg(kBatches));
    m_copy->setToolTip(tr("Copy the table as text"));
    m_copy->setEnabled(false);
    m_busy->setRange(0, 0);
    m_busy->setVisible(false);
    m_table->setHorizontalHeaderLabels({tr("Layer"), tr("Kind"), tr("Output"), tr("Forward µs"),
                                        tr("Backward µs"), tr("kFLOP/image"), tr("GFLOP/s"),
                                        tr("Share")});
    m_table->horizontalHeaderItem(5)->setToolTip(
        tr("Arithmetic of one training image in this layer: forward, weight gradients and input "
           "gradients of convolutions, fully connected and RBF layers, 2 FLOPs per "
           "multiply-add (element-wise layers count none)"));
    m_table->horizontalHeaderItem(6)->setToolTip(
        tr("The layer's arithmetic per second while it ran on its own"));
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_summary->setWordWrap(true);
    m_summary->setMinimumHeight(3 * m_summary->fontMetrics().lineSpacing() + 4);  // three lines
    m_summary->setText(tr("Press Measure to see where a training step spends its time."));

    auto* form = new QFormLayout;
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Threads"), m_threads);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_measure, QDialogButtonBox::ActionRole);
    buttons->addButton(m_copy, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);
    layout->addWidget(m_busy);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_measure, &QPushButton::clicked, this, &ProfileDialog::measure);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(tableText()); });
    resize(760, 480);
}

ProfileDialog::~ProfileDialog() = default;  // m_thread waits for the measurement

void ProfileDialog::measure() {
    if (m_thread.isActive()) return;
    m_measure->setEnabled(false);
    m_busy->setVisible(true);
    m_summary->setText(tr("Measuring…"));
    const int batch = m_batch->value(), threads = m_threads->value();
    m_thread.start([this, spec = m_spec, batch, threads](std::stop_token) {
        try {
            const lenet::LayerProfile p = lenet::profileLayers(spec, batch, threads, kBatches);
            m_thread.post([this, p] { showProfile(p); });
        } catch (const std::exception& e) {
            m_thread.post(
                [this, message = QString::fromStdString(e.what())] { showError(message); });
        }
    });
}

void ProfileDialog::showProfile(const lenet::LayerProfile& p) {
    m_thread.join();  // it has posted its result
    m_profile = p;
    double total = 0.0;
    for (const auto& row : p.layers) total += row.forwardUs + row.backwardUs;
    m_table->setRowCount(int(p.layers.size()));
    for (int r = 0; r < int(p.layers.size()); ++r) {
        const lenet::LayerProfileRow& row = p.layers[r];
        const double share = total > 0 ? (row.forwardUs + row.backwardUs) / total : 0.0;
        m_table->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(row.name)));
        m_table->setItem(r, 1, new QTableWidgetItem(QString::fromStdString(row.kind)));
        m_table->setItem(r, 2, new QTableWidgetItem(QString::fromStdString(row.output.str())));
        m_table->setItem(r, 3, numberItem(row.forwardUs));
        m_table->setItem(r, 4, numberItem(row.backwardUs));
        m_table->setItem(r, 5, row.flops > 0 ? numberItem(row.flops / 1e3) : new QTableWidgetItem);
        m_table->setItem(r, 6,
                         row.flopsPerSecond(p.batch) > 0
                             ? numberItem(row.flopsPerSecond(p.batch) / 1e9)
                             : new QTableWidgetItem);
        auto* bar = new QProgressBar;
        bar->setRange(0, 1000);
        bar->setValue(int(share * 1000));
        bar->setFormat(QStringLiteral("%1 %").arg(share * 100, 0, 'f', 1));
        bar->setToolTip(tr("Share of the time of all layers"));
        m_table->setCellWidget(r, 7, bar);
    }
    m_summary->setText(tr("A training step of %1 image(s) on %2 thread(s): <b>%3 ms</b>, %4 "
                          "images/s (without the optimiser). The layers timed one by one: %5 ms. "
                          "%6 MFLOP per image: the step reaches <b>%7 GFLOP/s, %8 % of the "
                          "peak</b> of %9 GFLOP/s that these threads' multiply-add units reach "
                          "with no memory traffic.")
                           .arg(p.batch)
                           .arg(p.threads)
                           .arg(p.stepUs / 1000, 0, 'f', 2)
                           .arg(p.imagesPerSecond, 0, 'f', 0)
                           .arg(total / 1000, 0, 'f', 2)
                           .arg(p.flopsPerImage / 1e6, 0, 'f', 2)
                           .arg(p.flopsPerSecond() / 1e9, 0, 'f', 1)
                           .arg(100 * p.peakShare(), 0, 'f', 0)
                           .arg(p.peakFlops / 1e9, 0, 'f', 0));
    m_busy->setVisible(false);
    m_measure->setEnabled(true);
    m_copy->setEnabled(true);
    Q_EMIT measured();
}

void ProfileDialog::showError(const QString& message) {
    m_thread.join();  // it has posted its result
    m_summary->setText(tr("Could not measure: %1").arg(message.toHtmlEscaped()));
    m_busy->setVisible(false);
    m_measure->setEnabled(true);
    Q_EMIT measured();
}

QString ProfileDialog::tableText() const {
    return m_profile ? QString::fromStdString(lenet::formatProfile(*m_profile)) : QString();
}

}  // namespace lenet::ui
