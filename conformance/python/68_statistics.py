# statistics: averages, spread and quantiles on exact data (ints and Fractions).
import statistics as st
from fractions import Fraction

data = [2, 4, 4, 4, 5, 5, 7, 9]
print(st.mean(data), st.median(data), st.mode(data), st.multimode([1, 1, 2, 2, 3]))
print(st.median_low([1, 3, 5, 7]), st.median_high([1, 3, 5, 7]), st.median([1, 3, 5, 7]))
print(st.pvariance(data), st.pstdev(data), st.variance([1, 2, 3, 4, 5]))
print(st.mean([Fraction(1, 3), Fraction(1, 6)]), st.fmean([1, 2, 3, 4]))
print(st.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], n=4))
print(st.harmonic_mean([40, 60]), st.geometric_mean([4, 9]) == 6.0)
print(st.median_grouped([1, 2, 2, 3, 4, 4, 4, 4, 4, 5]))
try:
    st.mean([])
except st.StatisticsError as e:
    print("StatisticsError:", e)
print(round(st.stdev([1.5, 2.5, 2.5, 2.75, 3.25, 4.75]), 10))
print(round(st.correlation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), 10))
slope, intercept = st.linear_regression([1, 2, 3, 4, 5], [3, 5, 7, 9, 11])
print(slope, intercept)
