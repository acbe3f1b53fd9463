"""A software prefetch for compiled loops that read far-apart rows of large arrays (numba).

``prefetch(a, i)`` asks the processor to bring the cache line of ``a[i]`` (an element of a 1-d
array, or the start of row ``i`` of a 2-d C-ordered one) into its caches, without waiting and
without faulting: LLVM's ``llvm.prefetch`` (read, high locality). Word of mouth uses it for the
tellers a few ties ahead: the ties a small world rewires point anywhere among millions of
customers, and a loop whose next branch waits on such a read otherwise waits for memory tie by tie.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, arr, idx):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Prefetch the cache line of ``arr[idx]`` (``arr``'s row ``idx`` when 2-d); no bounds check."""
    if not isinstance(arr, types.Array) or not isinstance(idx, types.Integer):
        return None
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        i64 = ir.IntType(64)
        row = builder.sext(args[1], i64) if signature.args[1].signed else builder.zext(args[1], i64)
        strides = cgutils.unpack_tuple(builder, ary.strides, signature.args[0].ndim)
        offset = builder.mul(row, strides[0])
        i8p = ir.IntType(8).as_pointer()
        ptr = builder.gep(builder.bitcast(ary.data, i8p), [offset])
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), "llvm.prefetch.p0i8")
        builder.call(fn, [ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen
