"""ONNX export through skl2onnx: ``import sknn.onnx`` registers a converter for
every sknn estimator, so that ``skl2onnx.to_onnx(model, X[:1])`` converts it,
alone or as the last step of a ``Pipeline``.

Needs the ``onnx`` extra: ``pip install "sknn[onnx]"`` (onnx, onnxruntime,
onnxscript, skl2onnx).

The graphs compute what the estimators' methods do: classifiers give labels
(``predict``) and probabilities (``predict_proba``), with skl2onnx's
``zipmap`` and ``nocl`` options as scikit-learn's classifiers take them;
regressors give values (``predict``), as an (n_samples, n_outputs) tensor;
autoencoders give codes (``transform``). They compute in float32, whatever
the model trained in.

How: the estimator's path from its input, as skl2onnx hands it over, to those
outputs is a small torch module, :class:`_Prediction`: the input kind's
conversion (``graph_input``), the fitted network, and the outputs
(``_graph_outputs``). torch's exporter (``torch.onnx.export``, from
``torch.export``) turns it into an ONNX graph, whose nodes the converter
copies into skl2onnx's model; classifiers then add their labels.

The table networks (``TabularClassifier``, ``TabularRegressor``) are not
exported: their converter says so.
"""

import contextlib
import copy
import itertools
import logging
import warnings

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    is_classifier,
    is_regressor,
)

try:
    import onnx
    import onnxscript  # noqa: F401  (torch's exporter needs it)
    from onnx import helper, numpy_helper
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
except ImportError as error:
    raise ImportError(
        f"sknn.onnx needs onnx, onnxscript and skl2onnx ({error}). Install them "
        'with: pip install "sknn[onnx]"'
    ) from None

import sknn

__all__ = ["ESTIMATORS"]

#: The estimators ``import sknn.onnx`` registers converters for: every
#: estimator ``sknn`` exports (``sknn.__all__``), so that a new one is
#: registered, or its export refused with a clear error, without a line here.
ESTIMATORS = tuple(
    getattr(sknn, name)
    for name in sknn.__all__
    if isinstance(getattr(sknn, name), type)
    and issubclass(getattr(sknn, name), BaseEstimator)
)

# The oldest ONNX opset torch's exporter writes.
_MIN_OPSET = 18


class _Prediction(torch.nn.Module):
    """What the graph computes, from the input as skl2onnx gives it: the
    input kind's conversion, then the network's outputs, in float32 on the
    CPU (a copy of the fitted network, in eval mode)."""

    def __init__(self, estimator):
        super().__init__()
        self.module = copy.deepcopy(estimator.module_).to("cpu", torch.float32)
        self.module.eval()
        self.estimator = estimator

    def forward(self, x: torch.Tensor):
        module_input = self.estimator._input.graph_input(x)
        outputs = self.estimator._graph_outputs(self.module, module_input)
        if not hasattr(self.module, "steps"):
            return outputs
        # Recurrent networks: the length of each sequence too, for ONNX's
        # recurrent operators (see _node_inputs).
        return outputs, self.module.steps(module_input).sum(1)


@contextlib.contextmanager
def _quiet_exporter():
    """Without the exporter's notes on its own progress, deprecations and
    the operators of packages it does not find (torchvision's)."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _export(estimator, input_type, opset: int) -> onnx.ModelProto:
    """The ONNX graph of :class:`_Prediction`, for inputs of ``input_type``
    (skl2onnx's), any number of samples."""
    name = type(estimator).__name__
    if opset < _MIN_OPSET:
        raise ValueError(
            f"{name} exports to ONNX opset {_MIN_OPSET} or later (torch's "
            f"exporter), but the conversion asks for opset {opset}. Pass "
            f"target_opset={_MIN_OPSET} or more to skl2onnx."
        )
    # Any number of samples; every other axis as skl2onnx's type gives it
    # (that of the example: sequences of another length are NaN- or
    # padding_id-padded to it). The example's number of samples is 2 or
    # more (torch's exporter specialises 0 and 1), unlike any other size of
    # the example, which the exporter would take for the same.
    sizes = list(input_type.shape[1:])
    if not all(isinstance(size, int) for size in sizes):
        raise ValueError(
            f"{name} exports graphs whose inputs have a fixed size on every "
            f"axis but the first (the samples); got the shape "
            f"{list(input_type.shape)}. Convert with an example, "
            "to_onnx(model, X[:1]), or a type that sizes every other axis, "
            "such as FloatTensorType([None, 6, 2]) for sequences of 6 steps "
            "of 2 features (pad shorter ones to the graph's length with NaN "
            "or padding_id)."
        )
    n_samples = next(n for n in itertools.count(2) if n not in sizes)
    shape = [n_samples, *sizes]
    dtype = torch.int64 if isinstance(input_type, Int64TensorType) else torch.float32
    example = torch.zeros(shape, dtype=dtype)
    prediction = _Prediction(estimator)
    with _quiet_exporter():
        program = torch.onnx.export(
            prediction,
            (example,),
            dynamo=True,
            dynamic_shapes=({0: torch.export.Dim("n_samples")},),
            opset_version=opset,
            optimize=True,
            verbose=False,
        )
    model = program.model_proto
    return onnx.inliner.inline_local_functions(model) if model.functions else model


def _copy_graph(model, scope, container, inputs, outputs, sequence_lens) -> None:
    """The nodes and weights of ``model``'s graph into skl2onnx's, its
    inputs and outputs named ``inputs`` and ``outputs``, every other name
    made unique in ``scope``; ``sequence_lens`` (or None) for its recurrent
    operators."""
    graph = model.graph
    names = {v.name: name for v, name in zip(graph.input, inputs, strict=True)}
    names.update({v.name: name for v, name in zip(graph.output, outputs, strict=True)})

    def renamed(name: str) -> str:
        if name and name not in names:
            names[name] = scope.get_unique_variable_name(name)
        return names.get(name, name)

    for initializer in graph.initializer:
        tensor = numpy_helper.from_array(
            numpy_helper.to_array(initializer), renamed(initializer.name)
        )
        container.add_initializer(
            tensor.name, tensor.data_type, list(tensor.dims), tensor
        )
    versions = {entry.domain: entry.version for entry in model.opset_import}
    for node in graph.node:
        container.add_node(
            node.op_type,
            _node_inputs(node, [renamed(name) for name in node.input], sequence_lens),
            [renamed(name) for name in node.output],
            op_domain=node.domain,
            op_version=versions[node.domain],
            name=scope.get_unique_operator_name(node.op_type),
            **{a.name: helper.get_attribute_value(a) for a in node.attribute},
        )


# ONNX's recurrent operators, whose 5th input is the length of each sequence.
_RECURRENT = ("GRU", "LSTM", "RNN")


def _node_inputs(node, inputs: list, sequence_lens: str | None) -> list:
    """A node's inputs without the optional ones it leaves out (named ""),
    which skl2onnx cannot order: trailing ones are dropped, and a recurrent
    operator gets ``sequence_lens``, the lengths of the sequences, so that
    padding stays out of its recurrence as packing keeps it out in torch
    (torch's exporter leaves them out: its graph reads every step)."""
    while inputs and not inputs[-1]:
        inputs = inputs[:-1]
    if node.op_type in _RECURRENT and sequence_lens is not None:
        inputs = [*inputs, *[""] * (5 - len(inputs))][:5] + inputs[5:]
        inputs[4] = inputs[4] or sequence_lens
    if "" in inputs:
        raise ValueError(
            f"sknn.onnx cannot copy the {node.op_type} node that torch's exporter "
            f"made: it leaves optional inputs out ({list(node.input)})."
        )
    return inputs


def _add(scope, container, op_type: str, inputs: list, output: str, **attributes):
    """Add an ``op_type`` node of skl2onnx's own, uniquely named."""
    container.add_node(
        op_type,
        inputs,
        [output],
        name=scope.get_unique_operator_name(op_type),
        **attributes,
    )


def _cast_to(scope, container, name: str, variable) -> None:
    """``name`` (float32) into the output ``variable``, cast to its type."""
    to = (
        onnx.TensorProto.DOUBLE
        if isinstance(variable.type, DoubleTensorType)
        else onnx.TensorProto.FLOAT
    )
    _add(scope, container, "Cast", [name], variable.full_name, to=to)


def _model_input(scope, container, variable) -> str:
    """The name of the graph's input: the operator's, or its float32 cast
    (double inputs; torch's graph takes float32 or int64)."""
    if isinstance(variable.type, (FloatTensorType, Int64TensorType)):
        return variable.full_name
    cast = scope.get_unique_variable_name("input_float")
    _add(
        scope, container, "Cast", [variable.full_name], cast, to=onnx.TensorProto.FLOAT
    )
    return cast


def _input_type(variable):
    return (
        Int64TensorType(variable.type.shape)
        if isinstance(variable.type, Int64TensorType)
        else FloatTensorType(variable.type.shape)
    )


def _convert(scope, operator, container) -> None:
    """skl2onnx's converter of every sknn estimator."""
    estimator = operator.raw_operator
    source = operator.inputs[0]
    model = _export(estimator, _input_type(source), container.target_opset)
    values = scope.get_unique_variable_name("sknn_outputs")
    outputs, sequence_lens = [values], None
    if len(model.graph.output) == 2:  # and the lengths of the sequences
        lengths = scope.get_unique_variable_name("lengths")
        sequence_lens = scope.get_unique_variable_name("sequence_lens")
        _add(
            scope,
            container,
            "Cast",
            [lengths],
            sequence_lens,
            to=onnx.TensorProto.INT32,
        )
        outputs.append(lengths)
    inputs = [_model_input(scope, container, source)]
    _copy_graph(model, scope, container, inputs, outputs, sequence_lens)
    if not is_classifier(estimator):
        _cast_to(scope, container, values, operator.outputs[0])
        return
    labels, probabilities = operator.outputs
    _cast_to(scope, container, values, probabilities)
    options = container.get_options(estimator, dict(nocl=False))
    index = scope.get_unique_variable_name("class_index")
    _add(scope, container, "ArgMax", [values], index, axis=1, keepdims=0)
    if options["nocl"]:
        _add(scope, container, "Identity", [index], labels.full_name)
        return
    classes = _class_labels(estimator)
    name = scope.get_unique_variable_name("classes")
    if classes.dtype.kind == "U":
        container.add_initializer(
            name,
            onnx.TensorProto.STRING,
            [len(classes)],
            [label.encode() for label in classes],
        )
    else:
        container.add_initializer(
            name, onnx.TensorProto.INT64, [len(classes)], classes.tolist()
        )
    _add(scope, container, "Gather", [name, index], labels.full_name, axis=0)


def _class_labels(estimator) -> np.ndarray:
    """``classes_`` as ONNX labels: strings, or int64 (integers, booleans,
    and floats holding integers, as skl2onnx's converters take them)."""
    classes = estimator.classes_
    if all(isinstance(c, str) for c in classes):
        return classes.astype(str)
    try:
        integers = classes.astype(np.int64)
    except (TypeError, ValueError):
        integers = None
    if integers is not None and np.array_equal(integers, classes):
        return integers
    raise ValueError(
        f"{type(estimator).__name__} exports labels that are integers or "
        f"strings; its classes_ are {classes[:5].tolist()}. Pass the option "
        "{'nocl': True} to skl2onnx for class indices, or fit on integer or "
        "string labels."
    )


def _check_exportable(estimator) -> None:
    name = type(estimator).__name__
    why_not = estimator._input.no_graph
    if why_not is not None:
        raise TypeError(
            f"{name} has no ONNX export yet: {why_not}. Export the MLPs, CNNs, "
            "RNNs or autoencoders, or save this model with skops."
        )
    if is_classifier(estimator) and estimator._multilabel:
        raise ValueError(
            f"{name} was fitted on multilabel targets, which skl2onnx's "
            "classifier outputs (one label per sample) cannot hold. Export "
            "multiclass or binary classifiers."
        )


def _shapes(operator) -> None:
    """skl2onnx's shape calculator of every sknn estimator."""
    estimator = operator.raw_operator
    _check_exportable(estimator)
    n_samples = operator.inputs[0].get_first_dimension()
    source = operator.inputs[0].type
    value_type = (
        DoubleTensorType if isinstance(source, DoubleTensorType) else FloatTensorType
    )
    if is_classifier(estimator):
        labels, probabilities = operator.outputs
        options = operator.scope_inst.get_options(estimator, dict(nocl=False))
        if options["nocl"] or _class_labels(estimator).dtype.kind != "U":
            labels.type = Int64TensorType([n_samples])
        else:
            labels.type = StringTensorType([n_samples])
        probabilities.type = value_type([n_samples, len(estimator.classes_)])
    elif is_regressor(estimator):
        operator.outputs[0].type = value_type([n_samples, estimator.n_outputs_])
    else:
        operator.outputs[0].type = value_type([n_samples, estimator.n_components])


def _register() -> None:
    for cls in ESTIMATORS:
        options = (
            {"zipmap": [True, False, "columns"], "nocl": [True, False]}
            if issubclass(cls, ClassifierMixin)
            else None
        )
        update_registered_converter(
            cls,
            f"Sknn{cls.__name__}",
            _shapes,
            _convert,
            options=options,
        )


_register()
