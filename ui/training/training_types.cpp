// Meta-type registration of the training snapshot types.
#include "ui/training/training_types.h"

namespace lenet::ui {

void registerTrainingTypes() {
    qRegisterMetaType<lenet::Progress>();
    qRegisterMetaType<lenet::EpochMetrics>();
    qRegisterMetaType<EpochHistory>();
    qRegisterMetaType<NetworkSnapshot>();
    qRegisterMetaType<LayerStatsSnapshot>();
    qRegisterMetaType<ResumedRun>();
}

}  // namespace lenet::ui
