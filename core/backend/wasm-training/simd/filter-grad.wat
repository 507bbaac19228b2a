;; Filter gradient of a channels-last 2D convolution, for the wasm backend's heap.
;;
;;   out[kh, kw, ci, co] = sum over b, oh, ow of
;;                         x[b, oh*SH + kh*DH - PT, ow*SW + kw*DW - PL, ci] * dy[b, oh, ow, co]
;;
;; (taps that fall into the padding contribute zero). Pointers are byte offsets into the imported
;; memory; all tensors are float32, dense, row-major. Requires CI % 4 == 0 and CO % 8 == 0.
;;
;; The output rows (b, oh) are taken in chunks of `chunkRows` so that a chunk's x and dy rows stay in
;; cache. Within a chunk, every tap (kh, kw) and every 4 x 8 block of (ci, co) keeps its eight
;; accumulators in SIMD registers while it runs over the chunk's valid positions: per position two
;; vector loads of dy, four broadcast loads of x, eight multiplies and eight adds. No im2col buffer and
;; no packed copy of either operand is made.
(module
  (import "env" "memory" (memory 0))
  (func (export "filter_grad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $B i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32)
    (param $DH i32) (param $DW i32) (param $PT i32) (param $PL i32)
    (param $chunkRows i32)
    (local $R i32) (local $r0 i32) (local $r1 i32) (local $kh i32) (local $kw i32)
    (local $ow0 i32) (local $ow1 i32) (local $t i32) (local $tapOut i32) (local $xTap i32)
    (local $cib i32) (local $cob i32) (local $o i32) (local $coBytes i32)
    (local $r i32) (local $b i32) (local $oh i32) (local $ih i32)
    (local $xp i32) (local $dp i32) (local $dend i32) (local $xstep i32) (local $dstep i32)
    (local $rowBytesX i32) (local $runBytes i32) (local $b0 i32) (local $oh0 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $d0 v128) (local $d1 v128) (local $s v128)
    (local.set $coBytes (i32.shl (local.get $CO) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0)
      (i32.mul (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $CI)) (local.get $coBytes)))
    (local.set $R (i32.mul (local.get $B) (local.get $OH)))
    (local.set $xstep (i32.shl (i32.mul (local.get $SW) (local.get $CI)) (i32.const 2)))
    (local.set $dstep (local.get $coBytes))
    (local.set $rowBytesX (i32.shl (i32.mul (local.get $W) (local.get $CI)) (i32.const 2)))
    (local.set $r0 (i32.const 0))
    (block $chunksDone (loop $chunks
      (br_if $chunksDone (i32.ge_s (local.get $r0) (local.get $R)))
      (local.set $r1 (i32.add (local.get $r0) (local.get $chunkRows)))
      (if (i32.gt_s (local.get $r1) (local.get $R)) (then (local.set $r1 (local.get $R))))
      (local.set $b0 (i32.div_u (local.get $r0) (local.get $OH)))
      (local.set $oh0 (i32.sub (local.get $r0) (i32.mul (local.get $b0) (local.get $OH))))
      (local.set $kh (i32.const 0))
      (loop $khLoop
        (local.set $kw (i32.const 0))
        (loop $kwLoop
          ;; valid output columns [ow0, ow1) for this kw
          (local.set $t (i32.sub (local.get $PL) (i32.mul (local.get $kw) (local.get $DW))))
          (local.set $ow0 (i32.const 0))
          (if (i32.gt_s (local.get $t) (i32.const 0))
            (then (local.set $ow0 (i32.div_s (i32.sub (i32.add (local.get $t) (local.get $SW)) (i32.const 1)) (local.get $SW)))))
          (local.set $t (i32.add (i32.sub (local.get $W) (i32.const 1)) (local.get $t)))
          (local.set $ow1 (i32.const 0))
          (if (i32.ge_s (local.get $t) (i32.const 0))
            (then (local.set $ow1 (i32.add (i32.div_s (local.get $t) (local.get $SW)) (i32.const 1)))))
          (if (i32.gt_s (local.get $ow1) (local.get $OW)) (then (local.set $ow1 (local.get $OW))))
          (if (i32.lt_s (local.get $ow0) (local.get $ow1)) (then
            (local.set $tapOut (i32.add (local.get $out)
              (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw))
                       (i32.mul (local.get $CI) (local.get $coBytes)))))
            ;; byte offset of the first tap column within an input row
            (local.set $xTap (i32.shl (i32.mul
              (i32.sub (i32.add (i32.mul (local.get $ow0) (local.get $SW)) (i32.mul (local.get $kw) (local.get $DW))) (local.get $PL))
              (local.get $CI)) (i32.const 2)))
            (local.set $runBytes (i32.mul (i32.sub (local.get $ow1) (local.get $ow0)) (local.get $coBytes)))
            (local.set $cib (i32.const 0))
            (loop $ciLoop
              (local.set $cob (i32.const 0))
              (loop $coLoop
                (local.set $o (i32.add (local.get $tapOut)
                  (i32.shl (i32.add (i32.mul (local.get $cib) (local.get $CO)) (local.get $cob)) (i32.const 2))))
                (local.set $a0 (v128.load (local.get $o)))
                (local.set $a1 (v128.load offset=16 (local.get $o)))
                (local.set $a2 (v128.load (i32.add (local.get $o) (local.get $coBytes))))
                (local.set $a3 (v128.load offset=16 (i32.add (local.get $o) (local.get $coBytes))))
                (local.set $a4 (v128.load (i32.add (local.get $o) (i32.shl (local.get $coBytes) (i32.const 1)))))
                (local.set $a5 (v128.load offset=16 (i32.add (local.get $o) (i32.shl (local.get $coBytes) (i32.const 1)))))
                (local.set $a6 (v128.load (i32.add (local.get $o) (i32.mul (local.get $coBytes) (i32.const 3)))))
                (local.set $a7 (v128.load offset=16 (i32.add (local.get $o) (i32.mul (local.get $coBytes) (i32.const 3)))))
                (local.set $b (local.get $b0))
                (local.set $oh (local.get $oh0))
                (local.set $r (local.get $r0))
                (loop $rows
                  (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $SH)) (i32.mul (local.get $kh) (local.get $DH))) (local.get $PT)))
                  (if (i32.lt_u (local.get $ih) (local.get $H)) (then
                    (local.set $xp (i32.add (i32.add (local.get $x)
                      (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $ih)) (local.get $rowBytesX)))
                      (i32.add (local.get $xTap) (i32.shl (local.get $cib) (i32.const 2)))))
                    (local.set $dp (i32.add (local.get $dy)
                      (i32.add (i32.mul (i32.add (i32.mul (local.get $r) (local.get $OW)) (local.get $ow0)) (local.get $coBytes))
                               (i32.shl (local.get $cob) (i32.const 2)))))
                    (local.set $dend (i32.add (local.get $dp) (local.get $runBytes)))
                    (loop $cols
                      (local.set $d0 (v128.load (local.get $dp)))
                      (local.set $d1 (v128.load offset=16 (local.get $dp)))
                      (local.set $s (v128.load32_splat (local.get $xp)))
                      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $d0))))
                      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $d1))))
                      (local.set $s (v128.load32_splat offset=4 (local.get $xp)))
                      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $d0))))
                      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $d1))))
                      (local.set $s (v128.load32_splat offset=8 (local.get $xp)))
                      (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (local.get $d0))))
                      (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (local.get $d1))))
                      (local.set $s (v128.load32_splat offset=12 (local.get $xp)))
                      (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (local.get $d0))))
                      (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (local.get $d1))))
                      (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
                      (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
                      (br_if $cols (i32.lt_u (local.get $dp) (local.get $dend))))))
                  (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                  (if (i32.eq (local.get $oh) (local.get $OH)) (then
                    (local.set $oh (i32.const 0))
                    (local.set $b (i32.add (local.get $b) (i32.const 1)))))
                  (local.set $r (i32.add (local.get $r) (i32.const 1)))
                  (br_if $rows (i32.lt_s (local.get $r) (local.get $r1))))
                (v128.store (local.get $o) (local.get $a0))
                (v128.store offset=16 (local.get $o) (local.get $a1))
                (v128.store (i32.add (local.get $o) (local.get $coBytes)) (local.get $a2))
                (v128.store offset=16 (i32.add (local.get $o) (local.get $coBytes)) (local.get $a3))
                (v128.store (i32.add (local.get $o) (i32.shl (local.get $coBytes) (i32.const 1))) (local.get $a4))
                (v128.store offset=16 (i32.add (local.get $o) (i32.shl (local.get $coBytes) (i32.const 1))) (local.get $a5))
                (v128.store (i32.add (local.get $o) (i32.mul (local.get $coBytes) (i32.const 3))) (local.get $a6))
                (v128.store offset=16 (i32.add (local.get $o) (i32.mul (local.get $coBytes) (i32.const 3))) (local.get $a7))
                (local.set $cob (i32.add (local.get $cob) (i32.const 8)))
                (br_if $coLoop (i32.lt_s (local.get $cob) (local.get $CO))))
              (local.set $cib (i32.add (local.get $cib) (i32.const 4)))
              (br_if $ciLoop (i32.lt_s (local.get $cib) (local.get $CI))))))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br_if $kwLoop (i32.lt_s (local.get $kw) (local.get $KW))))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br_if $khLoop (i32.lt_s (local.get $kh) (local.get $KH))))
      (local.set $r0 (local.get $r1))
      (br $chunks)))
  )
)
