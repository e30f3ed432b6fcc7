using TinyMl.Interpreter.Schema;

namespace TinyMl.Workbench.Graph;

/// <summary>What kind of work an operator does, for colouring graph nodes (Netron's palette, roughly).</summary>
public enum OperatorFamily
{
    /// <summary>Convolutions, fully connected, matmul, SVDF, LSTM: the multiply-accumulate layers.</summary>
    Layer,
    Pooling,
    Activation,
    Normalization,
    /// <summary>Reshape, concatenation, slicing, padding, transposes: data moved, not computed.</summary>
    Shape,
    /// <summary>Arithmetic element by element, and reductions.</summary>
    Elementwise,
    /// <summary>Quantize, dequantize, cast: a change of number format.</summary>
    Quantize,
    /// <summary>Calls into other subgraphs (WHILE, IF, CALL_ONCE).</summary>
    Control,
    /// <summary>Custom ops and builtins not named above.</summary>
    Other,
}

public static class OperatorFamilies
{
    public static OperatorFamily Of(BuiltinOperator op) => op switch
    {
        BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D or BuiltinOperator.TRANSPOSE_CONV or BuiltinOperator.CONV_3D
            or BuiltinOperator.CONV_3D_TRANSPOSE or BuiltinOperator.FULLY_CONNECTED or BuiltinOperator.BATCH_MATMUL or BuiltinOperator.SVDF
            or BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM
            or BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN or BuiltinOperator.RNN or BuiltinOperator.EMBEDDING_LOOKUP => OperatorFamily.Layer,
        BuiltinOperator.AVERAGE_POOL_2D or BuiltinOperator.MAX_POOL_2D or BuiltinOperator.L2_POOL_2D => OperatorFamily.Pooling,
        BuiltinOperator.RELU or BuiltinOperator.RELU6 or BuiltinOperator.RELU_N1_TO_1 or BuiltinOperator.RELU_0_TO_1 or BuiltinOperator.LOGISTIC
            or BuiltinOperator.TANH or BuiltinOperator.SOFTMAX or BuiltinOperator.LOG_SOFTMAX or BuiltinOperator.HARD_SWISH or BuiltinOperator.PRELU
            or BuiltinOperator.LEAKY_RELU or BuiltinOperator.ELU or BuiltinOperator.GELU => OperatorFamily.Activation,
        BuiltinOperator.L2_NORMALIZATION or BuiltinOperator.LOCAL_RESPONSE_NORMALIZATION => OperatorFamily.Normalization,
        BuiltinOperator.RESHAPE or BuiltinOperator.SQUEEZE or BuiltinOperator.EXPAND_DIMS or BuiltinOperator.TRANSPOSE or BuiltinOperator.CONCATENATION
            or BuiltinOperator.SPLIT or BuiltinOperator.SPLIT_V or BuiltinOperator.STRIDED_SLICE or BuiltinOperator.SLICE or BuiltinOperator.PACK
            or BuiltinOperator.UNPACK or BuiltinOperator.PAD or BuiltinOperator.PADV2 or BuiltinOperator.MIRROR_PAD or BuiltinOperator.GATHER
            or BuiltinOperator.GATHER_ND or BuiltinOperator.SHAPE or BuiltinOperator.FILL or BuiltinOperator.BROADCAST_TO or BuiltinOperator.TILE
            or BuiltinOperator.SPACE_TO_DEPTH or BuiltinOperator.DEPTH_TO_SPACE or BuiltinOperator.SPACE_TO_BATCH_ND or BuiltinOperator.BATCH_TO_SPACE_ND
            or BuiltinOperator.RESIZE_BILINEAR or BuiltinOperator.RESIZE_NEAREST_NEIGHBOR or BuiltinOperator.REVERSE_V2 or BuiltinOperator.ZEROS_LIKE
            or BuiltinOperator.ONE_HOT or BuiltinOperator.SELECT or BuiltinOperator.SELECT_V2 => OperatorFamily.Shape,
        BuiltinOperator.ADD or BuiltinOperator.ADD_N or BuiltinOperator.SUB or BuiltinOperator.MUL or BuiltinOperator.DIV or BuiltinOperator.FLOOR_DIV
            or BuiltinOperator.FLOOR_MOD or BuiltinOperator.MINIMUM or BuiltinOperator.MAXIMUM or BuiltinOperator.SQUARED_DIFFERENCE
            or BuiltinOperator.POW or BuiltinOperator.ABS or BuiltinOperator.NEG or BuiltinOperator.EXP or BuiltinOperator.LOG or BuiltinOperator.SQRT
            or BuiltinOperator.RSQRT or BuiltinOperator.SQUARE or BuiltinOperator.SIN or BuiltinOperator.COS or BuiltinOperator.FLOOR
            or BuiltinOperator.CEIL or BuiltinOperator.ROUND or BuiltinOperator.MEAN or BuiltinOperator.SUM or BuiltinOperator.REDUCE_MAX
            or BuiltinOperator.REDUCE_MIN or BuiltinOperator.REDUCE_PROD or BuiltinOperator.ARG_MAX or BuiltinOperator.ARG_MIN
            or BuiltinOperator.EQUAL or BuiltinOperator.NOT_EQUAL or BuiltinOperator.LESS or BuiltinOperator.LESS_EQUAL or BuiltinOperator.GREATER
            or BuiltinOperator.GREATER_EQUAL or BuiltinOperator.LOGICAL_AND or BuiltinOperator.LOGICAL_OR or BuiltinOperator.LOGICAL_NOT
            or BuiltinOperator.CUMSUM => OperatorFamily.Elementwise,
        BuiltinOperator.QUANTIZE or BuiltinOperator.DEQUANTIZE or BuiltinOperator.CAST => OperatorFamily.Quantize,
        BuiltinOperator.WHILE or BuiltinOperator.IF or BuiltinOperator.CALL_ONCE or BuiltinOperator.CALL => OperatorFamily.Control,
        _ => OperatorFamily.Other,
    };

    /// <summary>The node header's fill; white text reads on all of them.</summary>
    public static string Colour(OperatorFamily family) => family switch
    {
        OperatorFamily.Layer => "#335577",
        OperatorFamily.Pooling => "#335533",
        OperatorFamily.Activation => "#702828",
        OperatorFamily.Normalization => "#1f5f70",
        OperatorFamily.Shape => "#6b4226",
        OperatorFamily.Elementwise => "#5a4a8a",
        OperatorFamily.Quantize => "#6b6b1f",
        OperatorFamily.Control => "#2f6b5a",
        _ => "#404040",
    };

    public static string Label(OperatorFamily family) => family switch
    {
        OperatorFamily.Layer => "conv / dense / recurrent",
        OperatorFamily.Pooling => "pooling",
        OperatorFamily.Activation => "activation",
        OperatorFamily.Normalization => "normalization",
        OperatorFamily.Shape => "shape / data movement",
        OperatorFamily.Elementwise => "elementwise / reduce",
        OperatorFamily.Quantize => "quantize / cast",
        OperatorFamily.Control => "control flow",
        _ => "other / custom",
    };
}
