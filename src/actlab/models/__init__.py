"""Models of the `model` config group, one family per module.

Every model is built as `Model(input_shape, num_classes, activation, **options)`: the input shape
and the number of classes come from the datamodule, the activation factory from the `activation`
group, the options from `conf/model/<name>.yaml`. Models return logits.
"""
