package pipeline

import (
	"encoding/json"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/streams"
)

// tolerantUnmarshaller reads stream entries as watermill messages like the stock one, but an
// entry it cannot read (XADDed by something else, or corrupt) becomes a message marked
// foreign instead of an error: the stock unmarshaller's error ends the subscription and
// leaves the entry pending forever. The foreign middleware then sends it to the poison topic.
type tolerantUnmarshaller struct {
	stock streams.DefaultMarshaller
}

var _ redisstream.MarshallerUnmarshaller = tolerantUnmarshaller{}

func (u tolerantUnmarshaller) Marshal(topic string, msg *message.Message) (map[string]interface{}, error) {
	return u.stock.Marshal(topic, msg)
}

func (u tolerantUnmarshaller) Unmarshal(values map[string]interface{}) (msg *message.Message, err error) {
	defer func() {
		// The stock unmarshaller type-asserts field values; a foreign entry must not panic.
		if r := recover(); r != nil {
			msg, err = foreignMessage(values, "unreadable stream entry"), nil
		}
	}()
	msg, err = u.stock.Unmarshal(values)
	if err != nil {
		return foreignMessage(values, err.Error()), nil
	}
	return msg, nil
}

func foreignMessage(values map[string]interface{}, reason string) *message.Message {
	payload, err := json.Marshal(values)
	if err != nil {
		payload = nil
	}
	msg := message.NewMessage(watermill.NewUUID(), payload)
	msg.Metadata.Set(metaForeign, "not a groupwatch message: "+reason)
	return msg
}
