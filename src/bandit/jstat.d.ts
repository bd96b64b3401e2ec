// The part of jstat (which ships no types) that src/bandit and its tests use.
declare module 'jstat' {
  interface ContinuousDistribution<P extends number[]> {
    pdf(x: number, ...params: P): number;
    cdf(x: number, ...params: P): number;
    inv(p: number, ...params: P): number;
  }
  interface JStat {
    beta: ContinuousDistribution<[alpha: number, beta: number]>;
    studentt: ContinuousDistribution<[dof: number]>;
    chisquare: ContinuousDistribution<[dof: number]>;
    gamma: ContinuousDistribution<[shape: number, scale: number]>;
    normal: ContinuousDistribution<[mean: number, sd: number]>;
    /** log of the Beta function B(a, b) */
    betaln(a: number, b: number): number;
    /** log of the Gamma function */
    gammaln(x: number): number;
  }
  const jStat: JStat;
  export default jStat;
}
