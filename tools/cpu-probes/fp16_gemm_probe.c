// Probe, not product code: a single-threaded C[M,N] = A[M,K] · W[N,K]ᵀ whose products run on AVX512-FP16.
// Why: on this CPU vdpbf16ps has half the MAC rate of fp32 FMA, while vfmadd231ph has twice it (peak_rates.c), so
// fp16 arithmetic is the only route to a reduced-precision CPU GEMM faster than fp32 here.
// Numerics: rows of A and columns of W are scaled by powers of two so |a| ≤ 32 and |w| ≤ 32 (exact, undone at the
// end); products accumulate in fp16 for KI = 32 steps (|partial| ≤ 32·32·32 = 2^15 < 65504, so no overflow), then
// are added into fp32. Layout: A row-major (converted once to fp16), W prepacked in panels of NR = 64 columns
// [K][64]; a 12×64 micro-tile is 24 zmm accumulators, A broadcast from memory inside the FMA ({1to32}).
// Usage: fp16_gemm_probe M N K   prints the best of 7 rates and the NMSE against a double reference.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#define MR 12
#define NR 64
#define KI 32
#define KC 256
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}

// W packed: panels of NR columns; panel p: [K][NR] fp16, scaled by per-column 2^sw
typedef struct { int n,k; _Float16 *p; float *unscale_w; } packed_w;
static packed_w pack_w(const float *w,int n,int k){
  packed_w r={n,k,aligned_alloc(64,(size_t)((n+NR-1)/NR)*NR*k*2),malloc(sizeof(float)*((n+NR-1)/NR)*NR)};
  for(int j=0;j<(n+NR-1)/NR*NR;j++){
    float mx=0; if(j<n) for(int t=0;t<k;t++) mx=fmaxf(mx,fabsf(w[(size_t)j*k+t]));
    int e=mx>0?(int)floorf(log2f(mx))+1:0; float s=ldexpf(1.f,5-e); r.unscale_w[j]=1.f/s;
    _Float16 *pp=r.p+(size_t)(j/NR)*NR*k + (j%NR);
    for(int t=0;t<k;t++) pp[(size_t)t*NR]= j<n? (_Float16)(w[(size_t)j*k+t]*s):(_Float16)0;
  }
  return r;
}
// 12 x 64 microkernel over kc (multiple of KI): accumulates into c (fp32, ldc)
static void micro(const _Float16 *a /*row-major, lda*/, long lda, const _Float16 *b /*[kc][NR]*/, int kc, float *c, int ldc){
  for(int k0=0;k0<kc;k0+=KI){
    __m512h acc[MR][2];
    for(int i=0;i<MR;i++){acc[i][0]=_mm512_setzero_ph();acc[i][1]=_mm512_setzero_ph();}
    const _Float16 *p=a+k0, *q=a+3*lda+k0, *p2=a+6*lda+k0, *q2=a+9*lda+k0; long l=lda*2;
    const _Float16 *bk=b+(size_t)k0*NR;
    for(int k=0;k<KI;k++,p++,q++,p2++,q2++,bk+=NR){
      __m512h b0=_mm512_load_ph(bk), b1=_mm512_load_ph(bk+32);
      __asm__("vfmadd231ph (%[p])%{1to32%}, %[b0], %[c0_0]\n\t"
"vfmadd231ph (%[p])%{1to32%}, %[b1], %[c0_1]\n\t"
"vfmadd231ph (%[p],%[l],1)%{1to32%}, %[b0], %[c1_0]\n\t"
"vfmadd231ph (%[p],%[l],1)%{1to32%}, %[b1], %[c1_1]\n\t"
"vfmadd231ph (%[p],%[l],2)%{1to32%}, %[b0], %[c2_0]\n\t"
"vfmadd231ph (%[p],%[l],2)%{1to32%}, %[b1], %[c2_1]\n\t"
"vfmadd231ph (%[q])%{1to32%}, %[b0], %[c3_0]\n\t"
"vfmadd231ph (%[q])%{1to32%}, %[b1], %[c3_1]\n\t"
"vfmadd231ph (%[q],%[l],1)%{1to32%}, %[b0], %[c4_0]\n\t"
"vfmadd231ph (%[q],%[l],1)%{1to32%}, %[b1], %[c4_1]\n\t"
"vfmadd231ph (%[q],%[l],2)%{1to32%}, %[b0], %[c5_0]\n\t"
"vfmadd231ph (%[q],%[l],2)%{1to32%}, %[b1], %[c5_1]\n\t"
        : [c0_0]"+v"(acc[0][0]), [c0_1]"+v"(acc[0][1]), [c1_0]"+v"(acc[1][0]), [c1_1]"+v"(acc[1][1]), [c2_0]"+v"(acc[2][0]), [c2_1]"+v"(acc[2][1]), [c3_0]"+v"(acc[3][0]), [c3_1]"+v"(acc[3][1]), [c4_0]"+v"(acc[4][0]), [c4_1]"+v"(acc[4][1]), [c5_0]"+v"(acc[5][0]), [c5_1]"+v"(acc[5][1])
        : [p]"r"(p), [q]"r"(q), [l]"r"(l), [b0]"v"(b0), [b1]"v"(b1));
      __asm__("vfmadd231ph (%[p])%{1to32%}, %[b0], %[c6_0]\n\t"
"vfmadd231ph (%[p])%{1to32%}, %[b1], %[c6_1]\n\t"
"vfmadd231ph (%[p],%[l],1)%{1to32%}, %[b0], %[c7_0]\n\t"
"vfmadd231ph (%[p],%[l],1)%{1to32%}, %[b1], %[c7_1]\n\t"
"vfmadd231ph (%[p],%[l],2)%{1to32%}, %[b0], %[c8_0]\n\t"
"vfmadd231ph (%[p],%[l],2)%{1to32%}, %[b1], %[c8_1]\n\t"
"vfmadd231ph (%[q])%{1to32%}, %[b0], %[c9_0]\n\t"
"vfmadd231ph (%[q])%{1to32%}, %[b1], %[c9_1]\n\t"
"vfmadd231ph (%[q],%[l],1)%{1to32%}, %[b0], %[c10_0]\n\t"
"vfmadd231ph (%[q],%[l],1)%{1to32%}, %[b1], %[c10_1]\n\t"
"vfmadd231ph (%[q],%[l],2)%{1to32%}, %[b0], %[c11_0]\n\t"
"vfmadd231ph (%[q],%[l],2)%{1to32%}, %[b1], %[c11_1]\n\t"
        : [c6_0]"+v"(acc[6][0]), [c6_1]"+v"(acc[6][1]), [c7_0]"+v"(acc[7][0]), [c7_1]"+v"(acc[7][1]), [c8_0]"+v"(acc[8][0]), [c8_1]"+v"(acc[8][1]), [c9_0]"+v"(acc[9][0]), [c9_1]"+v"(acc[9][1]), [c10_0]"+v"(acc[10][0]), [c10_1]"+v"(acc[10][1]), [c11_0]"+v"(acc[11][0]), [c11_1]"+v"(acc[11][1])
        : [p]"r"(p2), [q]"r"(q2), [l]"r"(l), [b0]"v"(b0), [b1]"v"(b1));
    }
    #pragma GCC unroll 12
    for(int i=0;i<MR;i++) for(int h=0;h<2;h++){
      __m512i v=_mm512_castph_si512(acc[i][h]);
      float *cc=c+(size_t)i*ldc+h*32;
      _mm512_storeu_ps(cc, _mm512_add_ps(_mm512_loadu_ps(cc), _mm512_cvtph_ps(_mm512_castsi512_si256(v))));
      _mm512_storeu_ps(cc+16, _mm512_add_ps(_mm512_loadu_ps(cc+16), _mm512_cvtph_ps(_mm512_extracti64x4_epi64(v,1))));
    }
  }
}
// single-threaded: rows [0,m), column panels [p0,p1)
static float row_scale(const float *x,int k){
  __m512 mx=_mm512_setzero_ps(); int t=0;
  for(;t+16<=k;t+=16) mx=_mm512_max_ps(mx,_mm512_abs_ps(_mm512_loadu_ps(x+t)));
  float m=_mm512_reduce_max_ps(mx); for(;t<k;t++) m=fmaxf(m,fabsf(x[t]));
  int e=m>0?(int)floorf(log2f(m))+1:0; return ldexpf(1.f,5-e);
}
static void gemm(const float *A,int m,int k,const packed_w *W,int p0,int p1,float *C,int ldc){
  int mb=(m+MR-1)/MR;
  _Float16 *ah=aligned_alloc(64,(size_t)mb*MR*k*2+64);
  float *rs=malloc(sizeof(float)*mb*MR);
  for(int i=0;i<mb*MR;i++){
    _Float16 *d=ah+(size_t)i*k;
    if(i>=m){ memset(d,0,2L*k); rs[i]=1; continue; }
    const float *x=A+(size_t)i*k; float s=row_scale(x,k); rs[i]=1.f/s; __m512 sv=_mm512_set1_ps(s); int t=0;
    for(;t+16<=k;t+=16) _mm256_storeu_si256((__m256i*)(d+t),_mm512_cvtps_ph(_mm512_mul_ps(_mm512_loadu_ps(x+t),sv),_MM_FROUND_TO_NEAREST_INT|_MM_FROUND_NO_EXC));
    for(;t<k;t++) d[t]=(_Float16)(x[t]*s);
  }
  for(int i=0;i<m;i++) memset(C+(size_t)i*ldc+p0*NR,0,sizeof(float)*(p1-p0)*NR);
  float *ctmp=aligned_alloc(64,sizeof(float)*MR*NR);
  for(int kc0=0;kc0<k;kc0+=KC){
    int kc=k-kc0<KC?k-kc0:KC;
    for(int p=p0;p<p1;p++){
      const _Float16 *bp=W->p+(size_t)p*NR*k+(size_t)kc0*NR;
      for(int ib=0;ib<mb;ib++){
        int rows=m-ib*MR<MR?m-ib*MR:MR;
        const _Float16 *a=ah+(size_t)ib*MR*k+kc0;
        if(rows==MR) micro(a,k,bp,kc,C+(size_t)ib*MR*ldc+p*NR,ldc);
        else { memset(ctmp,0,sizeof(float)*MR*NR); micro(a,k,bp,kc,ctmp,NR); for(int i=0;i<rows;i++) for(int j=0;j<NR;j++) C[(size_t)(ib*MR+i)*ldc+p*NR+j]+=ctmp[i*NR+j]; }
      }
    }
  }
  for(int i=0;i<m;i++){ float r=rs[i]; float *c=C+(size_t)i*ldc; for(int j=p0*NR;j<p1*NR;j++) c[j]*=W->unscale_w[j]*r; }
  free(ah);free(rs);free(ctmp);
}
int main(int argc,char**argv){
  int m=atoi(argv[1]),n=atoi(argv[2]),k=atoi(argv[3]);
  float *A=malloc(4L*m*k),*W=malloc(4L*n*k),*C=malloc(4L*m*n);
  srand(1); for(long i=0;i<(long)m*k;i++)A[i]=(rand()/(float)RAND_MAX-0.5f)*4; for(long i=0;i<(long)n*k;i++)W[i]=(rand()/(float)RAND_MAX-0.5f)*0.1f;
  A[5]=300; // outlier
  packed_w pw=pack_w(W,n,k);
  int np=(n+NR-1)/NR;
  gemm(A,m,k,&pw,0,np,C,n);
  double d=1e9; for(int r=0;r<7;r++){double t=now(); gemm(A,m,k,&pw,0,np,C,n); double x=now()-t; if(x<d)d=x;}
  printf("%dx%dx%d: %.1f GFLOP/s single thread\n",m,n,k,2.0*m*n*k/d/1e9);
  double e2=0,r2=0,maxrel=0; for(int s=0;s<2000;s++){int i=rand()%m,j=rand()%n; double ref=0; for(int t=0;t<k;t++) ref+=(double)A[(size_t)i*k+t]*W[(size_t)j*k+t]; double e=C[(size_t)i*n+j]-ref; e2+=e*e; r2+=ref*ref;}
  printf("  nmse %.3g\n",e2/r2);
}
