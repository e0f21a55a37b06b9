// The values that cross from the training thread to the GUI thread by queued signal: progress
// snapshots, epoch metrics, the run's history and a read-only copy of the trained network.
#pragma once

#include <memory>
#include <vector>

#include <QMetaType>

#include "lenet/network.h"
#include "lenet/trainer.h"

namespace lenet::ui {

using EpochHistory = std::vector<lenet::EpochMetrics>;
using NetworkSnapshot = std::shared_ptr<const lenet::Network>;

/// Registers the types above with Qt's meta-type system; idempotent, call before connecting.
void registerTrainingTypes();

}  // namespace lenet::ui

Q_DECLARE_METATYPE(lenet::Progress)
Q_DECLARE_METATYPE(lenet::EpochMetrics)
Q_DECLARE_METATYPE(lenet::ui::NetworkSnapshot)
