// The values that cross from the training thread to the GUI thread by queued signal: progress
// snapshots, epoch metrics, the run's history, a read-only copy of the trained network and what
// a resumed run continues from, the layer statistics.
#pragma once

#include <memory>
#include <vector>

#include <QMetaType>

#include "lenet/layer_stats.h"
#include "lenet/network.h"
#include "lenet/spec.h"
#include "lenet/trainer.h"

namespace lenet::ui {

using EpochHistory = std::vector<lenet::EpochMetrics>;
using NetworkSnapshot = std::shared_ptr<const lenet::Network>;
/// The layer statistics of the run so far (layer_stats.h).
using LayerStatsSnapshot = std::shared_ptr<const lenet::LayerStatsHistory>;

/// A checkpoint the training thread has loaded and accepted, sent before the run goes on.
struct ResumedRun {
    lenet::ArchitectureSpec spec;  // the architecture, with the run's settings in spec.training
    EpochHistory history;          // the epochs done before the checkpoint
    NetworkSnapshot network;       // the weights at the end of the last of them
};

/// Registers the types above with Qt's meta-type system; idempotent, call before connecting.
void registerTrainingTypes();

}  // namespace lenet::ui

Q_DECLARE_METATYPE(lenet::Progress)
Q_DECLARE_METATYPE(lenet::EpochMetrics)
Q_DECLARE_METATYPE(lenet::ui::NetworkSnapshot)
Q_DECLARE_METATYPE(lenet::ui::LayerStatsSnapshot)
Q_DECLARE_METATYPE(lenet::ui::ResumedRun)
