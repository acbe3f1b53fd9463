"""Software prefetches for compiled loops that touch far-apart rows of large arrays (numba).

``prefetch(a, i)`` asks the processor to bring the cache line of ``a[i]`` (an element of a 1-d
array, or the start of row ``i`` of a 2-d C-ordered one) into its caches, without waiting and
without faulting: LLVM's ``llvm.prefetch`` (read, high locality); ``prefetch_write(a, i)`` the same
for a line about to be written. Word of mouth uses them for the tellers a few ties ahead, and the
network's construction for the listeners whose slots it fills: the ties a small world rewires
point anywhere among millions of customers, and a loop that waits on such a read otherwise waits
for memory tie by tie.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _prefetch_of(write: int) -> Callable[..., Any]:
    """The intrinsic's code for a read (``write=0``) or write (``1``) prefetch."""

    def typed(typingctx, arr, idx):  # pragma: no cover - compiled
        if not isinstance(arr, types.Array) or not isinstance(idx, types.Integer):
            return None
        sig = types.void(arr, idx)

        def codegen(context, builder, signature, args):
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
            builder.call(fn, [ptr, ir.Constant(i32, write), ir.Constant(i32, 3), ir.Constant(i32, 1)])
            return context.get_dummy_value()

        return sig, codegen

    typed.__name__ = typed.__qualname__ = "prefetch_write" if write else "prefetch"
    return typed


#: Prefetch the cache line of ``arr[idx]`` (``arr``'s row ``idx`` when 2-d) for reading; no bounds check.
prefetch = intrinsic(_prefetch_of(0))
#: The same, for writing.
prefetch_write = intrinsic(_prefetch_of(1))
