using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using Muesli.Core.Protocol;

namespace Muesli.Actors.Sessions;

/// <summary>
/// Bytes in, frames and frame errors out (<see cref="Frame"/> or <see cref="FrameError"/>), with the core
/// <see cref="FrameDecoder"/>. Pulls more bytes only when everything decoded so far has been taken downstream, so
/// a slow meeting back-pressures the client's pipe instead of filling memory.
/// </summary>
public sealed class FrameDecoderStage : GraphStage<FlowShape<ByteString, object>>
{
    private readonly int _maxPayloadBytes;
    private readonly Inlet<ByteString> _in = new("frames.in");
    private readonly Outlet<object> _out = new("frames.out");

    public FrameDecoderStage(int maxPayloadBytes)
    {
        _maxPayloadBytes = maxPayloadBytes;
        Shape = new FlowShape<ByteString, object>(_in, _out);
    }

    public override FlowShape<ByteString, object> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly FrameDecoderStage _stage;
        private readonly FrameDecoder _decoder;
        private readonly Queue<object> _ready = new();
        private readonly List<object> _scratch = [];

        public Logic(FrameDecoderStage stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _decoder = new FrameDecoder(stage._maxPayloadBytes);
            SetHandler(stage._in, this);
            SetHandler(stage._out, this);
        }

        public override void OnPush()
        {
            _decoder.Feed(Grab(_stage._in).ToReadOnlySpan(), _scratch);

            Enqueue();
            Deliver();
        }

        public override void OnUpstreamFinish()
        {
            _decoder.Complete(_scratch);
            Enqueue();
            if (_ready.Count == 0)
            {
                CompleteStage();
            }
            else
            {
                Deliver();
            }
        }

        public override void OnPull() => Deliver();

        private void Enqueue()
        {
            foreach (var item in _scratch)
            {
                _ready.Enqueue(item);
            }

            _scratch.Clear();
        }

        private void Deliver()
        {
            if (_ready.Count > 0 && IsAvailable(_stage._out))
            {
                Push(_stage._out, _ready.Dequeue());
            }

            if (_ready.Count == 0)
            {
                if (IsClosed(_stage._in))
                {
                    CompleteStage();
                }
                else if (!HasBeenPulled(_stage._in) && IsAvailable(_stage._out))
                {
                    Pull(_stage._in);
                }
            }
        }
    }
}
