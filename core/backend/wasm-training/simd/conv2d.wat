;; Forward 2D convolution, channels last, for the wasm backend's heap.
;;
;;   y[b, oh, ow, co] = sum over kh, kw, ci of
;;                      x[b, oh*SH + kh*DH - PT, ow*SW + kw*DW - PL, ci] * w[kh, kw, ci, co]
;;
;; (taps in the padding read zeros). Pointers are byte offsets into the imported memory; tensors are
;; float32, dense, row-major. Requires CO % 8 == 0; any CI >= 1.
;;
;; `pack_filter` first copies w into blocks of 8 output channels, [CO/8][KH*KW*CI][8], so that the inner
;; loop reads the filter contiguously. `conv_forward` then takes the output positions (flattened
;; b, oh, ow) in chunks of `chunk` positions; per chunk and per block of 8 output channels it computes
;; tiles of 4 consecutive positions, keeping the 4 x 8 outputs in eight SIMD accumulators over every tap
;; and input channel: per channel two vector loads of the filter, four broadcast loads of x, eight
;; multiplies and eight adds. A tap outside the image points its position at `zero` (CI zeros), and
;; positions past the end of the tensor are computed on zeros and not stored. A tile whose 4 positions lie in
;; one output row with every tap inside the image columns (dilation 1) takes an interior path: each kernel
;; row's KW*CI inputs are one contiguous run, and kernel rows in the vertical padding are skipped. A fused convolution's
;; epilogue (bias per output channel, relu or relu6) is applied to each tile before it is stored.
(module
  (import "env" "memory" (memory 0))
  (func (export "conv_forward")
    (param $x i32) (param $w i32) (param $y i32) (param $zero i32)
    (param $B i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32)
    (param $DH i32) (param $DW i32) (param $PT i32) (param $PL i32)
    (param $chunk i32) (param $bias i32) (param $act i32)
    (local $P i32) (local $pa i32) (local $pb i32) (local $cob i32) (local $t i32)
    (local $q i32) (local $b i32) (local $oh i32) (local $ow i32)
    (local $cb0 i32) (local $coh0 i32) (local $cow0 i32)
    (local $kh i32) (local $kw i32) (local $khOff i32) (local $kwOff i32) (local $ih i32) (local $iw i32)
    (local $wp i32) (local $wend i32) (local $wtap i32) (local $yp i32)
    (local $ciBytes i32) (local $coBytes i32) (local $imageBytes i32) (local $tapBytes i32)
    (local $xb0 i32) (local $ihb0 i32) (local $iwb0 i32) (local $xp0 i32) (local $xb1 i32) (local $ihb1 i32) (local $iwb1 i32) (local $xp1 i32) (local $xb2 i32) (local $ihb2 i32) (local $iwb2 i32) (local $xp2 i32) (local $xb3 i32) (local $ihb3 i32) (local $iwb3 i32) (local $xp3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $w0 v128) (local $w1 v128) (local $s v128) (local $posBytes i32)
    (local.set $P (i32.mul (i32.mul (local.get $B) (local.get $OH)) (local.get $OW)))
    (local.set $ciBytes (i32.shl (local.get $CI) (i32.const 2)))
    (local.set $coBytes (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $imageBytes (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $ciBytes)))
    (local.set $tapBytes (i32.shl (local.get $CI) (i32.const 5)))
    (local.set $posBytes (i32.mul (local.get $SW) (local.get $ciBytes)))
    ;; cursor (b, oh, ow) of the chunk start $pa
    (local.set $cb0 (i32.const 0)) (local.set $coh0 (i32.const 0)) (local.set $cow0 (i32.const 0))
    (local.set $pa (i32.const 0))
    (block $chunksDone (loop $chunks
      (br_if $chunksDone (i32.ge_u (local.get $pa) (local.get $P)))
      (local.set $pb (i32.add (local.get $pa) (local.get $chunk)))
      (if (i32.gt_u (local.get $pb) (local.get $P)) (then (local.set $pb (local.get $P))))
      (local.set $cob (i32.const 0))
      (loop $coLoop
        (local.set $q (local.get $pa))
        (local.set $b (local.get $cb0)) (local.set $oh (local.get $coh0)) (local.set $ow (local.get $cow0))
        (local.set $yp (i32.add (local.get $y)
          (i32.add (i32.mul (local.get $pa) (local.get $coBytes)) (i32.shl (local.get $cob) (i32.const 2)))))
        (loop $tiles
          (local.set $t (local.get $q))
          ;; Interior tile: 4 positions in one output row whose taps all lie inside the image columns. With
          ;; dilation 1 a tap row's KW x CI inputs are contiguous, as are the packed filter's, so each kernel row
          ;; is one inner loop of KW*CI steps (a third of the loop setups of the general path for 3x3), and
          ;; kernel rows in the vertical padding are skipped.
          (if (i32.and
                (i32.and (i32.eq (local.get $DW) (i32.const 1)) (i32.lt_u (i32.add (local.get $q) (i32.const 3)) (local.get $P)))
                (i32.and (i32.lt_s (i32.add (local.get $ow) (i32.const 3)) (local.get $OW))
                  (i32.and (i32.ge_s (local.tee $iwb0 (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL))) (i32.const 0))
                    (i32.lt_s (i32.add (i32.add (local.get $iwb0) (i32.mul (local.get $SW) (i32.const 3))) (i32.sub (local.get $KW) (i32.const 1)))
                      (local.get $W)))))
            (then
              (local.set $a0 (v128.const i32x4 0 0 0 0))
              (local.set $a1 (v128.const i32x4 0 0 0 0))
              (local.set $a2 (v128.const i32x4 0 0 0 0))
              (local.set $a3 (v128.const i32x4 0 0 0 0))
              (local.set $a4 (v128.const i32x4 0 0 0 0))
              (local.set $a5 (v128.const i32x4 0 0 0 0))
              (local.set $a6 (v128.const i32x4 0 0 0 0))
              (local.set $a7 (v128.const i32x4 0 0 0 0))
              (local.set $xb0 (i32.add (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $imageBytes)))
                (i32.mul (local.get $iwb0) (local.get $ciBytes))))
              (local.set $ihb0 (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
              (local.set $wtap (i32.add (local.get $w) (i32.mul (i32.shr_u (local.get $cob) (i32.const 3)) (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $tapBytes)))))
              (local.set $kh (i32.const 0))
              (loop $fastRows
                (local.set $ih (i32.add (local.get $ihb0) (i32.mul (local.get $kh) (local.get $DH))))
                (if (i32.lt_u (local.get $ih) (local.get $H)) (then
                  (local.set $xp0 (i32.add (local.get $xb0) (i32.mul (i32.mul (local.get $ih) (local.get $W)) (local.get $ciBytes))))
                  (local.set $xp1 (i32.add (local.get $xp0) (local.get $posBytes)))
                  (local.set $xp2 (i32.add (local.get $xp1) (local.get $posBytes)))
                  (local.set $xp3 (i32.add (local.get $xp2) (local.get $posBytes)))
                  (local.set $wp (i32.add (local.get $wtap) (i32.mul (i32.mul (local.get $kh) (local.get $KW)) (local.get $tapBytes))))
                  (local.set $wend (i32.add (local.get $wp) (i32.mul (local.get $KW) (local.get $tapBytes))))
                    (loop $ciLoop
                          (local.set $w0 (v128.load (local.get $wp)))
                          (local.set $w1 (v128.load offset=16 (local.get $wp)))
                          (local.set $s (v128.load32_splat offset=0 (local.get $xp0)))
                          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $w0))))
                          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $w1))))
                          (local.set $s (v128.load32_splat offset=0 (local.get $xp1)))
                          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $w0))))
                          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $w1))))
                          (local.set $s (v128.load32_splat offset=0 (local.get $xp2)))
                          (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (local.get $w0))))
                          (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (local.get $w1))))
                          (local.set $s (v128.load32_splat offset=0 (local.get $xp3)))
                          (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (local.get $w0))))
                          (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (local.get $w1))))
                          (local.set $xp0 (i32.add (local.get $xp0) (i32.const 4)))
                          (local.set $xp1 (i32.add (local.get $xp1) (i32.const 4)))
                          (local.set $xp2 (i32.add (local.get $xp2) (i32.const 4)))
                          (local.set $xp3 (i32.add (local.get $xp3) (i32.const 4)))
                          (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
                          (br_if $ciLoop (i32.lt_u (local.get $wp) (local.get $wend))))))
                (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                (br_if $fastRows (i32.lt_s (local.get $kh) (local.get $KH))))
              ;; the cursor moves 4 positions along the row (ow + 3 < OW: at most onto the next row's start)
              (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
              (if (i32.eq (local.get $ow) (local.get $OW)) (then
                (local.set $ow (i32.const 0))
                (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                (if (i32.eq (local.get $oh) (local.get $OH)) (then
                  (local.set $oh (i32.const 0))
                  (local.set $b (i32.add (local.get $b) (i32.const 1)))))))
              (local.set $q (i32.add (local.get $q) (i32.const 4))))
            (else
            ;; position 0: beyond the end -> reads zeros, not stored
            (if (i32.lt_u (local.get $q) (local.get $P)) (then
              (local.set $xb0 (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $imageBytes))))
              (local.set $ihb0 (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
              (local.set $iwb0 (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL))))
            (else
              (local.set $ihb0 (i32.const -1000000000))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (if (i32.eq (local.get $ow) (local.get $OW)) (then
              (local.set $ow (i32.const 0))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (if (i32.eq (local.get $oh) (local.get $OH)) (then
                (local.set $oh (i32.const 0))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))))))
            ;; position 1: beyond the end -> reads zeros, not stored
            (if (i32.lt_u (local.get $q) (local.get $P)) (then
              (local.set $xb1 (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $imageBytes))))
              (local.set $ihb1 (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
              (local.set $iwb1 (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL))))
            (else
              (local.set $ihb1 (i32.const -1000000000))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (if (i32.eq (local.get $ow) (local.get $OW)) (then
              (local.set $ow (i32.const 0))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (if (i32.eq (local.get $oh) (local.get $OH)) (then
                (local.set $oh (i32.const 0))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))))))
            ;; position 2: beyond the end -> reads zeros, not stored
            (if (i32.lt_u (local.get $q) (local.get $P)) (then
              (local.set $xb2 (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $imageBytes))))
              (local.set $ihb2 (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
              (local.set $iwb2 (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL))))
            (else
              (local.set $ihb2 (i32.const -1000000000))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (if (i32.eq (local.get $ow) (local.get $OW)) (then
              (local.set $ow (i32.const 0))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (if (i32.eq (local.get $oh) (local.get $OH)) (then
                (local.set $oh (i32.const 0))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))))))
            ;; position 3: beyond the end -> reads zeros, not stored
            (if (i32.lt_u (local.get $q) (local.get $P)) (then
              (local.set $xb3 (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $imageBytes))))
              (local.set $ihb3 (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
              (local.set $iwb3 (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL))))
            (else
              (local.set $ihb3 (i32.const -1000000000))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (if (i32.eq (local.get $ow) (local.get $OW)) (then
              (local.set $ow (i32.const 0))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (if (i32.eq (local.get $oh) (local.get $OH)) (then
                (local.set $oh (i32.const 0))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))))))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $a4 (v128.const i32x4 0 0 0 0))
            (local.set $a5 (v128.const i32x4 0 0 0 0))
            (local.set $a6 (v128.const i32x4 0 0 0 0))
            (local.set $a7 (v128.const i32x4 0 0 0 0))
            (local.set $wtap (i32.add (local.get $w) (i32.mul (i32.shr_u (local.get $cob) (i32.const 3)) (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $tapBytes)))))
            (local.set $kh (i32.const 0))
            (loop $khLoop
              (local.set $khOff (i32.mul (local.get $kh) (local.get $DH)))
              (local.set $kw (i32.const 0))
              (loop $kwLoop
                (local.set $kwOff (i32.mul (local.get $kw) (local.get $DW)))
                  (local.set $ih (i32.add (local.get $ihb0) (local.get $khOff)))
                  (local.set $iw (i32.add (local.get $iwb0) (local.get $kwOff)))
                  (local.set $xp0 (local.get $zero))
                  (if (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W))) (then
                    (local.set $xp0 (i32.add (local.get $xb0)
                      (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $ciBytes))))))
                  (local.set $ih (i32.add (local.get $ihb1) (local.get $khOff)))
                  (local.set $iw (i32.add (local.get $iwb1) (local.get $kwOff)))
                  (local.set $xp1 (local.get $zero))
                  (if (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W))) (then
                    (local.set $xp1 (i32.add (local.get $xb1)
                      (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $ciBytes))))))
                  (local.set $ih (i32.add (local.get $ihb2) (local.get $khOff)))
                  (local.set $iw (i32.add (local.get $iwb2) (local.get $kwOff)))
                  (local.set $xp2 (local.get $zero))
                  (if (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W))) (then
                    (local.set $xp2 (i32.add (local.get $xb2)
                      (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $ciBytes))))))
                  (local.set $ih (i32.add (local.get $ihb3) (local.get $khOff)))
                  (local.set $iw (i32.add (local.get $iwb3) (local.get $kwOff)))
                  (local.set $xp3 (local.get $zero))
                  (if (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W))) (then
                    (local.set $xp3 (i32.add (local.get $xb3)
                      (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $ciBytes))))))
                (local.set $wp (local.get $wtap))
                (local.set $wend (i32.add (local.get $wtap) (local.get $tapBytes)))
                (loop $ciLoop
                      (local.set $w0 (v128.load (local.get $wp)))
                      (local.set $w1 (v128.load offset=16 (local.get $wp)))
                      (local.set $s (v128.load32_splat offset=0 (local.get $xp0)))
                      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $w0))))
                      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $w1))))
                      (local.set $s (v128.load32_splat offset=0 (local.get $xp1)))
                      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $w0))))
                      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $w1))))
                      (local.set $s (v128.load32_splat offset=0 (local.get $xp2)))
                      (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (local.get $w0))))
                      (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (local.get $w1))))
                      (local.set $s (v128.load32_splat offset=0 (local.get $xp3)))
                      (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (local.get $w0))))
                      (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (local.get $w1))))
                      (local.set $xp0 (i32.add (local.get $xp0) (i32.const 4)))
                      (local.set $xp1 (i32.add (local.get $xp1) (i32.const 4)))
                      (local.set $xp2 (i32.add (local.get $xp2) (i32.const 4)))
                      (local.set $xp3 (i32.add (local.get $xp3) (i32.const 4)))
                      (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
                      (br_if $ciLoop (i32.lt_u (local.get $wp) (local.get $wend))))
                (local.set $wtap (local.get $wend))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br_if $kwLoop (i32.lt_s (local.get $kw) (local.get $KW))))
              (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
              (br_if $khLoop (i32.lt_s (local.get $kh) (local.get $KH))))))
          ;; epilogue of a fused convolution: + bias[co] ($bias 0: none), then relu ($act 1) or relu6 ($act 2)
          (if (local.get $bias) (then
              (local.set $w0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $cob) (i32.const 2)))))
              (local.set $w1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $cob) (i32.const 2)))))
              (local.set $a0 (f32x4.add (local.get $a0) (local.get $w0)))
              (local.set $a1 (f32x4.add (local.get $a1) (local.get $w1)))
              (local.set $a2 (f32x4.add (local.get $a2) (local.get $w0)))
              (local.set $a3 (f32x4.add (local.get $a3) (local.get $w1)))
              (local.set $a4 (f32x4.add (local.get $a4) (local.get $w0)))
              (local.set $a5 (f32x4.add (local.get $a5) (local.get $w1)))
              (local.set $a6 (f32x4.add (local.get $a6) (local.get $w0)))
              (local.set $a7 (f32x4.add (local.get $a7) (local.get $w1)))
))
          (if (local.get $act) (then
              (local.set $a0 (f32x4.max (local.get $a0) (v128.const f32x4 0 0 0 0)))
              (local.set $a1 (f32x4.max (local.get $a1) (v128.const f32x4 0 0 0 0)))
              (local.set $a2 (f32x4.max (local.get $a2) (v128.const f32x4 0 0 0 0)))
              (local.set $a3 (f32x4.max (local.get $a3) (v128.const f32x4 0 0 0 0)))
              (local.set $a4 (f32x4.max (local.get $a4) (v128.const f32x4 0 0 0 0)))
              (local.set $a5 (f32x4.max (local.get $a5) (v128.const f32x4 0 0 0 0)))
              (local.set $a6 (f32x4.max (local.get $a6) (v128.const f32x4 0 0 0 0)))
              (local.set $a7 (f32x4.max (local.get $a7) (v128.const f32x4 0 0 0 0)))
              (if (i32.eq (local.get $act) (i32.const 2)) (then
                (local.set $a0 (f32x4.min (local.get $a0) (v128.const f32x4 6 6 6 6)))
                (local.set $a1 (f32x4.min (local.get $a1) (v128.const f32x4 6 6 6 6)))
                (local.set $a2 (f32x4.min (local.get $a2) (v128.const f32x4 6 6 6 6)))
                (local.set $a3 (f32x4.min (local.get $a3) (v128.const f32x4 6 6 6 6)))
                (local.set $a4 (f32x4.min (local.get $a4) (v128.const f32x4 6 6 6 6)))
                (local.set $a5 (f32x4.min (local.get $a5) (v128.const f32x4 6 6 6 6)))
                (local.set $a6 (f32x4.min (local.get $a6) (v128.const f32x4 6 6 6 6)))
                (local.set $a7 (f32x4.min (local.get $a7) (v128.const f32x4 6 6 6 6)))
))))
          (local.set $q (local.get $t))
          (if (i32.lt_u (local.get $q) (local.get $P)) (then
            (v128.store (local.get $yp) (local.get $a0))
            (v128.store offset=16 (local.get $yp) (local.get $a1))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (local.set $yp (i32.add (local.get $yp) (local.get $coBytes)))
          (if (i32.lt_u (local.get $q) (local.get $P)) (then
            (v128.store (local.get $yp) (local.get $a2))
            (v128.store offset=16 (local.get $yp) (local.get $a3))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (local.set $yp (i32.add (local.get $yp) (local.get $coBytes)))
          (if (i32.lt_u (local.get $q) (local.get $P)) (then
            (v128.store (local.get $yp) (local.get $a4))
            (v128.store offset=16 (local.get $yp) (local.get $a5))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (local.set $yp (i32.add (local.get $yp) (local.get $coBytes)))
          (if (i32.lt_u (local.get $q) (local.get $P)) (then
            (v128.store (local.get $yp) (local.get $a6))
            (v128.store offset=16 (local.get $yp) (local.get $a7))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (local.set $yp (i32.add (local.get $yp) (local.get $coBytes)))
          (br_if $tiles (i32.lt_u (local.get $q) (local.get $pb))))
        (local.set $cob (i32.add (local.get $cob) (i32.const 8)))
        (br_if $coLoop (i32.lt_s (local.get $cob) (local.get $CO))))
      ;; advance the chunk cursor to p1 (b, oh, ow of the last tile's end)
      (local.set $cb0 (local.get $b)) (local.set $coh0 (local.get $oh)) (local.set $cow0 (local.get $ow))
      (local.set $pa (local.get $q))
      (br $chunks)))
  )
  (func (export "pack_filter") (param $w i32) (param $packed i32) (param $rows i32) (param $CO i32)
    (local $cob i32) (local $src i32) (local $dst i32) (local $end i32) (local $coBytes i32)
    (local.set $coBytes (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $dst (local.get $packed))
    (local.set $cob (i32.const 0))
    (loop $blocks
      (local.set $src (i32.add (local.get $w) (i32.shl (local.get $cob) (i32.const 2))))
      (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $rows) (i32.const 5))))
      (loop $copy
        (v128.store (local.get $dst) (v128.load (local.get $src)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
        (local.set $src (i32.add (local.get $src) (local.get $coBytes)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br_if $copy (i32.lt_u (local.get $dst) (local.get $end))))
      (local.set $cob (i32.add (local.get $cob) (i32.const 8)))
      (br_if $blocks (i32.lt_s (local.get $cob) (local.get $CO)))))
)
