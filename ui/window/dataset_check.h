// What a folder of IDX files holds, in words a user can act on: the counts, classes and image
// size of its training and test sets and whether an architecture can learn from them, or exactly
// why the folder cannot be used.
#pragma once

#include <QString>

#include "lenet/spec.h"

namespace lenet::ui {

struct DatasetReport {
    bool usable = false;
    QString text;  // a few lines, the verdict first
};

/// Loads both splits of the IDX folder `dir` (raw or .gz, MNIST names or *train*images*-style
/// pairs) and describes them for training `spec`.
DatasetReport inspectDataset(const QString& dir, const lenet::ArchitectureSpec& spec);

}  // namespace lenet::ui
