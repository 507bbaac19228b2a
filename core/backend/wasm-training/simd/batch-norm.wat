;; Training-mode batch normalisation over the last axis of an [N][C] float32 tensor (C % 4 == 0), for the
;; wasm backend's heap: the per-channel sums of the forward pass and of the gradient, and the input gradient,
;; each in one pass over memory (tfjs' ops take 3-4 passes and a dispatch each).
;;
;; Sums run per block of 64 rows into `acc` (C floats of scratch), each block then added into the result, so
;; rounding grows with 64 + N/64 rather than with N.
;; - `channel_sums(x, n, C, out, acc, mean, mode)`: out[c] = sum over rows of x (mode 0) or of
;;   (x - mean[c])^2 (mode 1);
;; - `grad_sums(dy, y, x, n, C, mean, relu, dbeta, dxc, acc, acc2)`: with dz = dy (where y > 0 when `relu`:
;;   the gradient through a fused ReLU), dbeta[c] = sum dz and dxc[c] = sum dz * (x - mean[c]);
;; - `grad_input(dy, y, x, dx, n, C, a, b, d, relu)`: dx = a[c] dz + b[c] x + d[c].
(module
  (import "env" "memory" (memory 0))

  ;; out[g] += acc[g] for the C floats of both
  (func $add_into (param $out i32) (param $acc i32) (param $bytes i32)
    (local $o i32)
    (local.set $o (i32.const 0))
    (loop $l
      (v128.store (i32.add (local.get $out) (local.get $o))
        (f32x4.add (v128.load (i32.add (local.get $out) (local.get $o))) (v128.load (i32.add (local.get $acc) (local.get $o)))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $o) (local.get $bytes)))))

  (func (export "channel_sums")
    (param $x i32) (param $n i32) (param $C i32) (param $out i32) (param $acc i32) (param $mean i32) (param $mode i32)
    (local $bytes i32) (local $r i32) (local $end i32) (local $p i32) (local $o i32) (local $v v128)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $bytes))
    (local.set $p (local.get $x))
    (local.set $r (i32.const 0))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $end (i32.add (local.get $r) (i32.const 64)))
      (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
      (memory.fill (local.get $acc) (i32.const 0) (local.get $bytes))
      (loop $rows
        (local.set $o (i32.const 0))
        (loop $groups
          (local.set $v (v128.load (i32.add (local.get $p) (local.get $o))))
          (if (local.get $mode) (then
            (local.set $v (f32x4.sub (local.get $v) (v128.load (i32.add (local.get $mean) (local.get $o)))))
            (local.set $v (f32x4.mul (local.get $v) (local.get $v)))))
          (v128.store (i32.add (local.get $acc) (local.get $o))
            (f32x4.add (v128.load (i32.add (local.get $acc) (local.get $o))) (local.get $v)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $o) (local.get $bytes))))
        (local.set $p (i32.add (local.get $p) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $r) (local.get $end))))
      (call $add_into (local.get $out) (local.get $acc) (local.get $bytes))
      (br $blocks))))

  (func (export "grad_sums")
    (param $dy i32) (param $y i32) (param $x i32) (param $n i32) (param $C i32) (param $mean i32) (param $relu i32)
    (param $dbeta i32) (param $dxc i32) (param $acc i32) (param $acc2 i32)
    (local $bytes i32) (local $r i32) (local $end i32) (local $row i32) (local $o i32) (local $dz v128)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (memory.fill (local.get $dbeta) (i32.const 0) (local.get $bytes))
    (memory.fill (local.get $dxc) (i32.const 0) (local.get $bytes))
    (local.set $row (i32.const 0))
    (local.set $r (i32.const 0))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $end (i32.add (local.get $r) (i32.const 64)))
      (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
      (memory.fill (local.get $acc) (i32.const 0) (local.get $bytes))
      (memory.fill (local.get $acc2) (i32.const 0) (local.get $bytes))
      (loop $rows
        (local.set $o (i32.const 0))
        (loop $groups
          (local.set $dz (v128.load (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $o)))))
          (if (local.get $relu) (then
            (local.set $dz (v128.and (local.get $dz)
              (f32x4.gt (v128.load (i32.add (local.get $y) (i32.add (local.get $row) (local.get $o)))) (v128.const f32x4 0 0 0 0))))))
          (v128.store (i32.add (local.get $acc) (local.get $o))
            (f32x4.add (v128.load (i32.add (local.get $acc) (local.get $o))) (local.get $dz)))
          (v128.store (i32.add (local.get $acc2) (local.get $o))
            (f32x4.add (v128.load (i32.add (local.get $acc2) (local.get $o)))
              (f32x4.mul (local.get $dz)
                (f32x4.sub (v128.load (i32.add (local.get $x) (i32.add (local.get $row) (local.get $o))))
                  (v128.load (i32.add (local.get $mean) (local.get $o)))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $groups (i32.lt_u (local.get $o) (local.get $bytes))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $r) (local.get $end))))
      (call $add_into (local.get $dbeta) (local.get $acc) (local.get $bytes))
      (call $add_into (local.get $dxc) (local.get $acc2) (local.get $bytes))
      (br $blocks))))

  (func (export "grad_input")
    (param $dy i32) (param $y i32) (param $x i32) (param $dx i32) (param $n i32) (param $C i32)
    (param $a i32) (param $b i32) (param $d i32) (param $relu i32)
    (local $bytes i32) (local $row i32) (local $end i32) (local $o i32) (local $dz v128) (local $q i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.mul (local.get $n) (local.get $bytes)))
    (local.set $row (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
      (local.set $o (i32.const 0))
      (loop $groups
        (local.set $q (i32.add (local.get $row) (local.get $o)))
        (local.set $dz (v128.load (i32.add (local.get $dy) (local.get $q))))
        (if (local.get $relu) (then
          (local.set $dz (v128.and (local.get $dz)
            (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $q))) (v128.const f32x4 0 0 0 0))))))
        (v128.store (i32.add (local.get $dx) (local.get $q))
          (f32x4.add
            (f32x4.add
              (f32x4.mul (local.get $dz) (v128.load (i32.add (local.get $a) (local.get $o))))
              (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $q))) (v128.load (i32.add (local.get $b) (local.get $o)))))
            (v128.load (i32.add (local.get $d) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $groups (i32.lt_u (local.get $o) (local.get $bytes))))
      (local.set $row (i32.add (local.get $row) (local.get $bytes)))
      (br $rows))))
)
