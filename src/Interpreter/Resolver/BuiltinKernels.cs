using TinyMl.Interpreter.Kernels;
using TinyMl.Interpreter.Kernels.Optimized;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>The builtin operators the runtime implements, and the kernel for each.</summary>
public static class BuiltinKernels
{
    // One line per operator. Kernels are stateless (per-node state lives in Node.Data), so one
    // instance per operator serves every interpreter.
    private static readonly Dictionary<BuiltinOperator, OperatorKernel> Registry = new()
    {
        [BuiltinOperator.AVERAGE_POOL_2D] = new PoolingKernel(PoolingKernel.PoolKind.Average),
        [BuiltinOperator.CONV_2D] = new ConvKernel(),
        [BuiltinOperator.DEPTHWISE_CONV_2D] = new DepthwiseConvKernel(),
        [BuiltinOperator.DEQUANTIZE] = new DequantizeKernel(),
        [BuiltinOperator.FULLY_CONNECTED] = new FullyConnectedKernel(),
        [BuiltinOperator.LOGISTIC] = new LogisticKernel(),
        [BuiltinOperator.MAX_POOL_2D] = new PoolingKernel(PoolingKernel.PoolKind.Max),
        [BuiltinOperator.QUANTIZE] = new QuantizeKernel(),
        [BuiltinOperator.RESHAPE] = new ReshapeKernel(),
        [BuiltinOperator.ADD] = new AddKernel(),
        [BuiltinOperator.MUL] = new MulKernel(),
        [BuiltinOperator.DIV] = new DivKernel(),
        [BuiltinOperator.MINIMUM] = new MinimumMaximumKernel(maximum: false),
        [BuiltinOperator.MAXIMUM] = new MinimumMaximumKernel(maximum: true),
        [BuiltinOperator.RELU] = new ReluKernel(),
        [BuiltinOperator.RELU6] = new Relu6Kernel(),
        [BuiltinOperator.CAST] = new CastKernel(),
        [BuiltinOperator.STRIDED_SLICE] = new StridedSliceKernel(),
        [BuiltinOperator.CONCATENATION] = new ConcatenationKernel(),
        [BuiltinOperator.SOFTMAX] = new SoftmaxKernel(),
        [BuiltinOperator.SVDF] = new SvdfKernel(),
        [BuiltinOperator.TANH] = new TanhKernel(),
        [BuiltinOperator.LEAKY_RELU] = new LeakyReluKernel(),
        [BuiltinOperator.PAD] = new PadKernel(),
        [BuiltinOperator.PADV2] = new PadKernel(),
        [BuiltinOperator.SUB] = new SubKernel(),
        [BuiltinOperator.TRANSPOSE_CONV] = new TransposeConvKernel(),
        [BuiltinOperator.MEAN] = new ReduceKernel(ReduceKernel.Kind.Mean),
        [BuiltinOperator.TRANSPOSE] = new TransposeKernel(),
        [BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM] = new UnidirectionalSequenceLstmKernel(),
        [BuiltinOperator.IF] = new IfKernel(),
        [BuiltinOperator.WHILE] = new WhileKernel(),
        [BuiltinOperator.CALL_ONCE] = new CallOnceKernel(),
        [BuiltinOperator.VAR_HANDLE] = new VarHandleKernel(),
        [BuiltinOperator.ASSIGN_VARIABLE] = new AssignVariableKernel(),
        [BuiltinOperator.READ_VARIABLE] = new ReadVariableKernel(),
        [BuiltinOperator.DENSIFY] = new DensifyKernel(),
        [BuiltinOperator.ABS] = new UnaryMathKernel(BuiltinOperator.ABS),
        [BuiltinOperator.NEG] = new UnaryMathKernel(BuiltinOperator.NEG),
        [BuiltinOperator.SQRT] = new UnaryMathKernel(BuiltinOperator.SQRT),
        [BuiltinOperator.RSQRT] = new UnaryMathKernel(BuiltinOperator.RSQRT),
        [BuiltinOperator.SQUARE] = new UnaryMathKernel(BuiltinOperator.SQUARE),
        [BuiltinOperator.EXP] = new UnaryMathKernel(BuiltinOperator.EXP),
        [BuiltinOperator.LOG] = new UnaryMathKernel(BuiltinOperator.LOG),
        [BuiltinOperator.SIN] = new UnaryMathKernel(BuiltinOperator.SIN),
        [BuiltinOperator.COS] = new UnaryMathKernel(BuiltinOperator.COS),
        [BuiltinOperator.CEIL] = new UnaryMathKernel(BuiltinOperator.CEIL),
        [BuiltinOperator.FLOOR] = new UnaryMathKernel(BuiltinOperator.FLOOR),
        [BuiltinOperator.ROUND] = new UnaryMathKernel(BuiltinOperator.ROUND),
        [BuiltinOperator.LOGICAL_NOT] = new UnaryMathKernel(BuiltinOperator.LOGICAL_NOT),
        [BuiltinOperator.LOGICAL_AND] = new LogicalKernel(and: true),
        [BuiltinOperator.LOGICAL_OR] = new LogicalKernel(and: false),
        [BuiltinOperator.SELECT_V2] = new SelectV2Kernel(),
        [BuiltinOperator.ZEROS_LIKE] = new ZerosLikeKernel(),
        [BuiltinOperator.HARD_SWISH] = new HardSwishKernel(),
        [BuiltinOperator.PRELU] = new PreluKernel(),
        [BuiltinOperator.SQUARED_DIFFERENCE] = new SquaredDifferenceKernel(),
        [BuiltinOperator.FLOOR_DIV] = new FloorDivModKernel(modulo: false),
        [BuiltinOperator.FLOOR_MOD] = new FloorDivModKernel(modulo: true),
        [BuiltinOperator.SUM] = new ReduceKernel(ReduceKernel.Kind.Sum),
        [BuiltinOperator.REDUCE_MAX] = new ReduceKernel(ReduceKernel.Kind.Max),
        [BuiltinOperator.REDUCE_MIN] = new ReduceKernel(ReduceKernel.Kind.Min),
        [BuiltinOperator.REDUCE_ALL] = new ReduceKernel(ReduceKernel.Kind.All),
        [BuiltinOperator.L2_POOL_2D] = new PoolingKernel(PoolingKernel.PoolKind.L2),
        [BuiltinOperator.RESIZE_BILINEAR] = new ResizeKernel(bilinear: true),
        [BuiltinOperator.RESIZE_NEAREST_NEIGHBOR] = new ResizeKernel(bilinear: false),
        [BuiltinOperator.EQUAL] = new ComparisonKernel(ComparisonKernel.Relation.Equal),
        [BuiltinOperator.NOT_EQUAL] = new ComparisonKernel(ComparisonKernel.Relation.NotEqual),
        [BuiltinOperator.LESS] = new ComparisonKernel(ComparisonKernel.Relation.Less),
        [BuiltinOperator.LESS_EQUAL] = new ComparisonKernel(ComparisonKernel.Relation.LessEqual),
        [BuiltinOperator.GREATER] = new ComparisonKernel(ComparisonKernel.Relation.Greater),
        [BuiltinOperator.GREATER_EQUAL] = new ComparisonKernel(ComparisonKernel.Relation.GreaterEqual),
        [BuiltinOperator.SHAPE] = new ShapeKernel(),
        [BuiltinOperator.SQUEEZE] = new SqueezeKernel(),
        [BuiltinOperator.EXPAND_DIMS] = new ExpandDimsKernel(),
        [BuiltinOperator.SLICE] = new SliceKernel(),
        [BuiltinOperator.SPLIT] = new SplitKernel(),
        [BuiltinOperator.SPLIT_V] = new SplitVKernel(),
        [BuiltinOperator.PACK] = new PackKernel(),
        [BuiltinOperator.UNPACK] = new UnpackKernel(),
        [BuiltinOperator.GATHER] = new GatherKernel(),
        [BuiltinOperator.GATHER_ND] = new GatherNdKernel(),
        [BuiltinOperator.DEPTH_TO_SPACE] = new SpaceDepthKernel(toSpace: true),
        [BuiltinOperator.SPACE_TO_DEPTH] = new SpaceDepthKernel(toSpace: false),
        [BuiltinOperator.ARG_MAX] = new ArgMinMaxKernel(max: true),
        [BuiltinOperator.ARG_MIN] = new ArgMinMaxKernel(max: false),
        [BuiltinOperator.BATCH_TO_SPACE_ND] = new SpaceBatchKernel(toBatch: false),
        [BuiltinOperator.SPACE_TO_BATCH_ND] = new SpaceBatchKernel(toBatch: true),
        [BuiltinOperator.MIRROR_PAD] = new MirrorPadKernel(),
        [BuiltinOperator.FILL] = new FillKernel(),
        [BuiltinOperator.BROADCAST_TO] = new BroadcastToKernel(),
        [BuiltinOperator.BROADCAST_ARGS] = new BroadcastArgsKernel(),
        [BuiltinOperator.REVERSE_V2] = new ReverseV2Kernel(),
        [BuiltinOperator.DYNAMIC_UPDATE_SLICE] = new DynamicUpdateSliceKernel(),
        [BuiltinOperator.EMBEDDING_LOOKUP] = new EmbeddingLookupKernel(),
        [BuiltinOperator.CUMSUM] = new CumSumKernel(),
    };

    // Optimized kernels replace reference ones by operator; each runs the reference for what it does not cover.
    private static readonly Dictionary<BuiltinOperator, OperatorKernel> Optimized = new()
    {
        [BuiltinOperator.CONV_2D] = new FastConvKernel(),
        [BuiltinOperator.DEPTHWISE_CONV_2D] = new FastDepthwiseConvKernel(),
        [BuiltinOperator.FULLY_CONNECTED] = new FastFullyConnectedKernel(),
        [BuiltinOperator.ADD] = new FastAddSubKernel(subtract: false),
        [BuiltinOperator.SUB] = new FastAddSubKernel(subtract: true),
    };

    public static IEnumerable<BuiltinOperator> Supported => Registry.Keys.OrderBy(op => op.ToString());

    public static OperatorKernel? Create(BuiltinOperator op, KernelSet kernels = KernelSet.Optimized) =>
        kernels == KernelSet.Optimized && Optimized.TryGetValue(op, out var fast) ? fast : Registry.GetValueOrDefault(op);
}
