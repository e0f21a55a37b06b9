#include "ui/inspect/bundled_model.h"

#include <QFile>

#include "lenet/error.h"

namespace lenet::ui {

lenet::Model loadBundledModel() {
    const QString path = QStringLiteral(":/models/lenet5-1998.lenet");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw lenet::IoError("the bundled model " + path.toStdString() +
                             " is not in this build: " + file.errorString().toStdString());
    }
    const QByteArray bytes = file.readAll();
    return lenet::parseModel(bytes.toStdString(), "the bundled model lenet5-1998");
}

}  // namespace lenet::ui
