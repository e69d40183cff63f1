using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Prometheus;

namespace Muesli.Host.Node;

/// <summary>
/// Publishes one <see cref="Meter"/>'s instruments in a prometheus-net registry under their own names: observable
/// counters as counters, observable gauges as gauges whose unreported series are removed at each scrape (a meeting's
/// lag goes when the meeting does), histograms as histograms. prometheus-net's own MeterAdapter would prefix the meter's
/// name, type observable counters as gauges and keep a gone series until it expires.
/// </summary>
public sealed class PrometheusBridge : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly IMetricFactory _factory;
    private readonly double[] _buckets;
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();
    private readonly object _collecting = new();

    public PrometheusBridge(string meterName, CollectorRegistry registry, double[] histogramBuckets)
    {
        _factory = Metrics.WithCustomRegistry(registry);
        _buckets = histogramBuckets;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
        registry.AddBeforeCollectCallback(Collect);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Observes every observable instrument, then drops the gauge series that were not reported this time.</summary>
    private void Collect()
    {
        lock (_collecting)
        {
            foreach (var series in _series.Values)
            {
                series.Reported.Clear();
            }

            _listener.RecordObservableInstruments();
            foreach (var (instrument, series) in _series)
            {
                if (series.Collector is Gauge gauge && instrument is ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>)
                {
                    foreach (var labels in gauge.GetAllLabelValues().ToArray())
                    {
                        if (!series.Reported.ContainsKey(string.Join('\u0001', labels)))
                        {
                            gauge.RemoveLabelled(labels);
                        }
                    }
                }
            }
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new string[tags.Length];
        var values = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            names[i] = tags[i].Key;
            values[i] = tags[i].Value?.ToString() ?? "";
        }

        var series = _series.GetOrAdd(instrument, i => new Series(Create(i, names), names));
        var ordered = series.LabelNames.Select(n => values[Array.IndexOf(names, n)]).ToArray();
        series.Reported[string.Join('\u0001', ordered)] = 0;
        switch (series.Collector)
        {
            case Counter counter:
                counter.WithLabels(ordered).IncTo(value);
                break;
            case Gauge gauge:
                gauge.WithLabels(ordered).Set(value);
                break;
            case Histogram histogram:
                histogram.WithLabels(ordered).Observe(value);
                break;
        }
    }

    private Collector Create(Instrument instrument, string[] labels)
    {
        var help = instrument.Description ?? instrument.Name;
        return instrument switch
        {
            ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => _factory.CreateCounter(instrument.Name, help, labels),
            Histogram<double> => _factory.CreateHistogram(instrument.Name, help, new HistogramConfiguration { LabelNames = labels, Buckets = _buckets }),
            _ => _factory.CreateGauge(instrument.Name, help, labels),
        };
    }

    /// <summary>One instrument's collector, its label names in order, and the label sets reported since the last scrape began.</summary>
    private sealed record Series(Collector Collector, string[] LabelNames)
    {
        public ConcurrentDictionary<string, byte> Reported { get; } = new();
    }
}
