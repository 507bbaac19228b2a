;; Input gradient of a channels-last 2D convolution with few input channels (a network's stem: RGB in,
;; 7x7 stride 2), for the wasm backend's heap.
;;
;;   dx[b, i, j, c] = sum over (ky, kx) with (i + PT - ky) % SH == 0 and (j + PL - kx) % SW == 0 of
;;                    dot(dy[b, (i + PT - ky) / SH, (j + PL - kx) / SW, :], w[ky, kx, c, :])
;;
;; w is the forward filter [KH, KW, C, CO] as it is (its CO values of one (ky, kx, c) are contiguous);
;; dy comes zero-padded by the caller to [B, OHP, OWP, CO] with its origin at (PY0, PX0), so every
;; tap's row exists and no bound is checked; dx is written [B, H, WP, C] with WP a multiple of 4 * SW
;; (the caller crops the extra columns). Dilation 1; CO % 4 == 0. Pointers are byte offsets into the
;; imported memory.
;;
;; Only the taps of the pixel's stride phase are visited (no multiplications by the stride's zeros).
;; Four pixels of the same phase in a row (j, j + SW, j + 2 SW, j + 3 SW: consecutive dy columns)
;; share each filter load: per 4 output channels one filter load, four dy loads and four multiply-adds
;; into four accumulators, summed across lanes once per pixel.
(module
  (import "env" "memory" (memory 0))
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
  (func (export "narrow_input_grad")
    (param $dy i32) (param $w i32) (param $dx i32)
    (param $B i32) (param $H i32) (param $WP i32) (param $C i32)
    (param $OHP i32) (param $OWP i32) (param $CO i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32)
    (param $PT i32) (param $PL i32) (param $PY0 i32) (param $PX0 i32)
    (local $b i32) (local $i i32) (local $c i32) (local $j0 i32) (local $j i32)
    (local $ky i32) (local $kx i32) (local $ky0 i32) (local $kx0 i32)
    (local $oxp i32) (local $p i32) (local $q i32) (local $qend i32)
    (local $coBytes i32) (local $rowOut i32) (local $o i32) (local $wv v128)
    (local $oyp0 i32) (local $rowDy i32) (local $rowW i32) (local $co2 i32) (local $co3 i32)
    (local $dyRowBytes i32) (local $wStepX i32) (local $wStepY i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local.set $coBytes (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $co2 (i32.shl (local.get $coBytes) (i32.const 1)))
    (local.set $co3 (i32.mul (local.get $coBytes) (i32.const 3)))
    (local.set $dyRowBytes (i32.mul (local.get $OWP) (local.get $coBytes)))
    (local.set $wStepX (i32.sub (i32.mul (i32.mul (local.get $SW) (local.get $C)) (local.get $coBytes)) (local.get $coBytes)))
    (local.set $wStepY (i32.mul (i32.mul (i32.mul (local.get $SH) (local.get $KW)) (local.get $C)) (local.get $coBytes)))
    (local.set $b (i32.const 0))
    (loop $bLoop
      (local.set $i (i32.const 0))
      (loop $iLoop
        (local.set $ky0 (i32.rem_u (i32.add (local.get $i) (local.get $PT)) (local.get $SH)))
        (local.set $oyp0 (i32.div_u
          (i32.add (i32.sub (i32.add (local.get $i) (local.get $PT)) (local.get $ky0)) (i32.mul (local.get $PY0) (local.get $SH)))
          (local.get $SH)))
        ;; byte offset of dx[b, i, 0, 0]
        (local.set $rowOut (i32.add (local.get $dx) (i32.shl
          (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $i)) (local.get $WP)) (local.get $C))
          (i32.const 2))))
        (local.set $c (i32.const 0))
        (loop $cLoop
          (local.set $j0 (i32.const 0))
          (loop $phaseLoop
            (local.set $kx0 (i32.rem_u (i32.add (local.get $j0) (local.get $PL)) (local.get $SW)))
            (local.set $j (local.get $j0))
            (loop $jLoop
              (local.set $a0 (v128.const i32x4 0 0 0 0))
              (local.set $a1 (v128.const i32x4 0 0 0 0))
              (local.set $a2 (v128.const i32x4 0 0 0 0))
              (local.set $a3 (v128.const i32x4 0 0 0 0))
              ;; the first tap (ky0, kx0) reads dy at (oyp0, oxp); each further tap along an axis one dy row
              ;; or column earlier (pointer steps instead of divisions)
              (local.set $oxp (i32.div_u
                (i32.add (i32.sub (i32.add (local.get $j) (local.get $PL)) (local.get $kx0)) (i32.mul (local.get $PX0) (local.get $SW)))
                (local.get $SW)))
              (local.set $rowDy (i32.add (local.get $dy) (i32.mul
                (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $OHP)) (local.get $oyp0)) (local.get $OWP)) (local.get $oxp))
                (local.get $coBytes))))
              (local.set $rowW (i32.add (local.get $w) (i32.mul
                (i32.add (i32.mul (i32.add (i32.mul (local.get $ky0) (local.get $KW)) (local.get $kx0)) (local.get $C)) (local.get $c))
                (local.get $coBytes))))
              (local.set $ky (local.get $ky0))
              (block $kyDone (loop $kyLoop
                (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $KH)))
                (local.set $p (local.get $rowDy))
                (local.set $q (local.get $rowW))
                (local.set $kx (local.get $kx0))
                (block $kxDone (loop $kxLoop
                  (br_if $kxDone (i32.ge_s (local.get $kx) (local.get $KW)))
                  (local.set $qend (i32.add (local.get $q) (local.get $coBytes)))
                  (loop $vLoop
                    (local.set $wv (v128.load (local.get $q)))
                    (local.set $d0 (v128.load (local.get $p)))
                    (local.set $d1 (v128.load (i32.add (local.get $p) (local.get $coBytes))))
                    (local.set $d2 (v128.load (i32.add (local.get $p) (local.get $co2))))
                    (local.set $d3 (v128.load (i32.add (local.get $p) (local.get $co3))))
                    (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $d0) (local.get $wv))))
                    (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $d1) (local.get $wv))))
                    (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $d2) (local.get $wv))))
                    (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $d3) (local.get $wv))))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $q (i32.add (local.get $q) (i32.const 16)))
                    (br_if $vLoop (i32.lt_u (local.get $q) (local.get $qend))))
                  ;; next tap along the row: one dy column earlier (p has moved one pixel forward)
                  (local.set $p (i32.sub (local.get $p) (local.get $co2)))
                  (local.set $q (i32.add (local.get $q) (local.get $wStepX)))
                  (local.set $kx (i32.add (local.get $kx) (local.get $SW)))
                  (br $kxLoop)))
                (local.set $rowDy (i32.sub (local.get $rowDy) (local.get $dyRowBytes)))
                (local.set $rowW (i32.add (local.get $rowW) (local.get $wStepY)))
                (local.set $ky (i32.add (local.get $ky) (local.get $SH)))
                (br $kyLoop)))
              ;; dx[b, i, j + t * SW, c] for t = 0..3
              (local.set $o (i32.add (local.get $rowOut)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $C)) (local.get $c)) (i32.const 2))))
              (f32.store (local.get $o) (call $hsum (local.get $a0)))
              (local.set $o (i32.add (local.get $o) (i32.shl (i32.mul (local.get $SW) (local.get $C)) (i32.const 2))))
              (f32.store (local.get $o) (call $hsum (local.get $a1)))
              (local.set $o (i32.add (local.get $o) (i32.shl (i32.mul (local.get $SW) (local.get $C)) (i32.const 2))))
              (f32.store (local.get $o) (call $hsum (local.get $a2)))
              (local.set $o (i32.add (local.get $o) (i32.shl (i32.mul (local.get $SW) (local.get $C)) (i32.const 2))))
              (f32.store (local.get $o) (call $hsum (local.get $a3)))
              (local.set $j (i32.add (local.get $j) (i32.shl (local.get $SW) (i32.const 2))))
              (br_if $jLoop (i32.lt_s (local.get $j) (local.get $WP))))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 1)))
            (br_if $phaseLoop (i32.lt_s (local.get $j0) (local.get $SW))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $cLoop (i32.lt_s (local.get $c) (local.get $C))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $iLoop (i32.lt_s (local.get $i) (local.get $H))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $bLoop (i32.lt_s (local.get $b) (local.get $B))))
  )
)
