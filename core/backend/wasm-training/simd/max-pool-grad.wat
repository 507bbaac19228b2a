;; Gradient of a channels-last max pool, for the wasm backend's heap.
;;
;;   dx[b, iy, ix, c] += dy[b, oy, ox, c] for the first maximum (row-major order over the window) of
;;   x[b, oy*SH - PT + wy, ox*SW - PL + wx, c] over the window's in-image taps
;;
;; as the cpu backend and TensorFlow route it: NaNs never win, and a window whose taps are all -inf (or
;; NaN) passes no gradient. Four channels at a time: the window's maximum in one pass (pmax ignores a
;; NaN tap), then each tap equal to it and not yet taken receives dy. dx is zeroed here. Dilation 1;
;; C % 4 == 0. Pointers are byte offsets into the imported memory; all tensors are float32, dense.
(module
  (import "env" "memory" (memory 0))
  (func (export "max_pool_grad")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $B i32) (param $H i32) (param $W i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $FH i32) (param $FW i32)
    (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $y0 i32) (local $y1 i32) (local $x0 i32) (local $x1 i32)
    (local $iy i32) (local $ix i32) (local $cb i32) (local $cBytes i32) (local $g i32) (local $t i32)
    (local $m v128) (local $taken v128) (local $hit v128) (local $v v128) (local $gv v128)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.mul (i32.mul (i32.mul (local.get $B) (local.get $H)) (local.get $W)) (local.get $cBytes)))
    (local.set $g (local.get $dy))
    (local.set $b (i32.const 0))
    (loop $bLoop
      (local.set $oy (i32.const 0))
      (loop $oyLoop
        ;; in-image window rows [y0, y1)
        (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $SH)) (local.get $PT)))
        (local.set $y1 (i32.add (local.get $y0) (local.get $FH)))
        (if (i32.lt_s (local.get $y0) (i32.const 0)) (then (local.set $y0 (i32.const 0))))
        (if (i32.gt_s (local.get $y1) (local.get $H)) (then (local.set $y1 (local.get $H))))
        (local.set $ox (i32.const 0))
        (loop $oxLoop
          (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $SW)) (local.get $PL)))
          (local.set $x1 (i32.add (local.get $x0) (local.get $FW)))
          (if (i32.lt_s (local.get $x0) (i32.const 0)) (then (local.set $x0 (i32.const 0))))
          (if (i32.gt_s (local.get $x1) (local.get $W)) (then (local.set $x1 (local.get $W))))
          (local.set $cb (i32.const 0))
          (loop $cLoop
            (local.set $m (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $iy (local.get $y0))
            (block $maxDone (loop $maxRows
              (br_if $maxDone (i32.ge_s (local.get $iy) (local.get $y1)))
              (local.set $ix (local.get $x0))
              (block $maxColsDone (loop $maxCols
                (br_if $maxColsDone (i32.ge_s (local.get $ix) (local.get $x1)))
                (local.set $t (i32.add (i32.add (local.get $x) (local.get $cb)) (i32.mul
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix))
                  (local.get $cBytes))))
                (local.set $m (f32x4.pmax (local.get $m) (v128.load (local.get $t))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $maxCols)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $maxRows)))
            ;; lanes whose maximum is -inf (no finite tap) take nothing
            (local.set $taken (f32x4.eq (local.get $m) (v128.const f32x4 -inf -inf -inf -inf)))
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $cb))))
            (local.set $iy (local.get $y0))
            (block $gradDone (loop $gradRows
              (br_if $gradDone (i32.ge_s (local.get $iy) (local.get $y1)))
              (local.set $ix (local.get $x0))
              (block $gradColsDone (loop $gradCols
                (br_if $gradColsDone (i32.ge_s (local.get $ix) (local.get $x1)))
                (local.set $t (i32.add (local.get $cb) (i32.mul
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix))
                  (local.get $cBytes))))
                (local.set $v (v128.load (i32.add (local.get $x) (local.get $t))))
                (local.set $hit (v128.andnot (f32x4.eq (local.get $v) (local.get $m)) (local.get $taken)))
                (v128.store (i32.add (local.get $dx) (local.get $t))
                  (f32x4.add (v128.load (i32.add (local.get $dx) (local.get $t))) (v128.and (local.get $gv) (local.get $hit))))
                (local.set $taken (v128.or (local.get $taken) (local.get $hit)))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $gradCols)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $gradRows)))
            (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
            (br_if $cLoop (i32.lt_s (local.get $cb) (local.get $cBytes))))
          (local.set $g (i32.add (local.get $g) (local.get $cBytes)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br_if $oxLoop (i32.lt_s (local.get $ox) (local.get $OW))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $oyLoop (i32.lt_s (local.get $oy) (local.get $OH))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $bLoop (i32.lt_s (local.get $b) (local.get $B))))
  )
)
